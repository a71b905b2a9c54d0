# Sourced by jobs/qadistill and jobs/bench: the project root, and java with the flags every run needs.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java_flags=()
# the heap when QADISTILL_JAVA_OPTS is not set; each launcher sets its own
default_java_opts="-Xmx8g"

# mkl_intel_cpu: the path of src/main/c/mkl_intel_cpu.c built into target/ (once, with cc), to preload on x86-64:
# oneMKL inside PyTorch then picks its code paths on AMD CPUs as on Intel ones (training's GEMMs gain about 1.15x;
# docs/benchmarks.md, "Models and runtimes"). Prints nothing where QADISTILL_MKL_INTEL_CPU=0, on other CPUs or
# without a compiler.
mkl_intel_cpu() {
  [ "${QADISTILL_MKL_INTEL_CPU:-1}" != 0 ] && [ "$(uname -m)" = x86_64 ] || return 0
  local src="$root/src/main/c/mkl_intel_cpu.c" lib="$root/target/libmkl_intel_cpu.so"
  if [ ! -e "$lib" ] || [ "$src" -nt "$lib" ]; then
    if ! command -v cc >/dev/null; then
      echo "no C compiler (cc): PyTorch's oneMKL keeps its generic code path on AMD CPUs" >&2
      return 0
    fi
    mkdir -p "$root/target" && cc -shared -fPIC -O2 -o "$lib" "$src" || return 0
  fi
  echo "$lib"
}

# run_java MAIN-CLASS ARGS...: java with conf/jvm.options (Spark's --add-opens list, -Dai.djl.offline=true), the
# caller's java_flags array, then QADISTILL_JAVA_OPTS (default: the caller's default_java_opts; later -D flags win,
# so the user's do) and the logging configuration; it replaces the calling shell. A JVM out of heap exits at once
# with the error, rather than hanging after a Spark thread died of it. The caller exports CLASSPATH: ONNX Runtime
# crashes the JVM when the java command line is longer than about 4 KB.
run_java() {
  # jemalloc instead of glibc's malloc for PyTorch's native memory where Debian's libjemalloc2 is installed: glibc
  # kept 0.8 to 2 GB more resident while two threads scored (many arenas, activations of ever-changing sizes), and
  # its fresh mmap of every tensor over 32 MB made big batches 1.6x slower (docs/benchmarks.md, "Models and
  # runtimes" and "Teacher logits"). An LD_PRELOAD of your own wins; LD_PRELOAD= (empty) keeps glibc's.
  local jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
  [ -e "$jemalloc" ] || jemalloc=""
  local preload
  preload="$(echo "$jemalloc $(mkl_intel_cpu)" | xargs)"
  export LD_PRELOAD="${LD_PRELOAD-$preload}"
  # shellcheck disable=SC2086 # QADISTILL_JAVA_OPTS holds several flags
  exec java @"$root/conf/jvm.options" -XX:+ExitOnOutOfMemoryError "${java_flags[@]}" \
    ${QADISTILL_JAVA_OPTS:-$default_java_opts} -Dlog4j2.configurationFile="$root/conf/log4j2.xml" "$@"
}
