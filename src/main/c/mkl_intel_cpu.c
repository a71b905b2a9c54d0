/*
 * oneMKL's vendor check, answered "Intel": preloaded (LD_PRELOAD) into the JVMs that run PyTorch, it makes the
 * oneMKL that PyTorch 2.7.1's CPU build links statically choose its code paths by the CPU's instruction sets alone.
 * Without it oneMKL takes a generic path on AMD CPUs: libtorch_cpu.so calls this exported function through its PLT,
 * so a definition loaded first takes the place of oneMKL's own. The code path is still chosen from CPUID's feature
 * bits, so no instruction the CPU lacks is used; on Intel CPUs the answer is the one oneMKL gives anyway.
 *
 * jobs/qadistill and jobs/bench build it into target/ with the system's C compiler and preload it on x86-64;
 * QADISTILL_MKL_INTEL_CPU=0 turns it off (README, "Speed on AMD CPUs"; docs/benchmarks.md, "Models and runtimes").
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
