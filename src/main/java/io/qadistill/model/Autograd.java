package io.qadistill.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording on the calling thread, for the span of a try-with-resources block, and backward passes.
 *
 * <p>Not DJL's {@code GradientCollector}: the PyTorch engine allows one collector per JVM, but several Spark
 * tasks of one executor (local mode, or tests) each train their own model at the same time. PyTorch's grad mode
 * is per thread and each task's graph is its own, so recording per thread is all a task needs. Spark reuses
 * task threads, so the previous mode is restored on close.
 */
public final class Autograd implements AutoCloseable {
  private final boolean previous;

  private Autograd() {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** Starts recording on this thread. */
  public static Autograd record() {
    return new Autograd();
  }

  /** Back-propagates from a scalar: adds d(scalar)/d(leaf) to the gradient of every leaf that requires one. */
  public void backward(NDArray scalar) {
    try (NDArray ones = scalar.onesLike()) {
      JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
