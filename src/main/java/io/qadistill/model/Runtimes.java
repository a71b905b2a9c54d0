package io.qadistill.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's settings that belong to a process or a thread rather than to a model: intra-op threads, the GPUs
 * it sees, the seed of dropout. The one place outside the model classes that calls into the engine.
 */
public final class Runtimes {
  private static final Logger LOG = LoggerFactory.getLogger(Runtimes.class);
  private static final AtomicBoolean SAID_NO_GPU = new AtomicBoolean();

  private Runtimes() {}

  /**
   * Sets the number of threads PyTorch uses inside one op: 1 where concurrent tasks keep the cores busy, the
   * executor's cores where one task runs at a time. On CPU, one intra-op thread per task and as many concurrent
   * tasks as cores (spark.task.cpus=1) was 1.4× faster than one task with 2 intra-op threads on a busy 2-core
   * machine (docs/benchmarks.md, "Models and runtimes"): OpenMP's per-op barriers stall whenever a thread is
   * descheduled. PyTorch keeps the count per calling thread, applied when a thread first runs an op: set it on the
   * thread that will score or train, before its first op.
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " must be ≥ 1");
    }
    load();
    JniUtils.setNumThreads(threads);
  }

  /** The calling thread's intra-op thread count. */
  public static int threads() {
    load();
    return JniUtils.getNumThreads();
  }

  /** GPUs the runtime sees (0 with a CPU build, or without a CUDA driver: said once per JVM, at INFO). */
  public static int gpuCount() {
    int count = Engine.getInstance().getGpuCount();
    if (count == 0 && !SAID_NO_GPU.getAndSet(true)) {
      LOG.info("no GPU is used: the PyTorch engine sees none (a CPU build, or no CUDA driver); models run on the CPU");
    }
    return count;
  }

  /** Seeds the runtime's generator (dropout); one per JVM. */
  public static void seed(long seed) {
    load();
    JniUtils.setSeed(seed);
  }

  /** Loads the native library that JniUtils calls into (a fresh executor has not yet). */
  private static void load() {
    Engine.getEngine("PyTorch");
  }
}
