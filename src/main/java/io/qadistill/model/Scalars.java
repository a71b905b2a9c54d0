package io.qadistill.model;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands for arithmetic that autograd records. DJL's {@code x.mul(2f)} makes the scalar from a direct
 * buffer, applies the op and closes the scalar at once; but PyTorch's graph keeps that tensor for the backward
 * pass (the gradient of x·c is c), and its memory is the buffer, which the garbage collector frees whenever it
 * runs: backward then reads whatever lies there, and gradients change from run to run (GradientStepTest shows
 * it). A scalar made here belongs to {@code like}'s manager, so it lives until that manager closes, after the
 * backward pass; under an NDScope it is closed with the scope.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code value} as a 0-d float32 array in the manager of {@code like}. */
  public static NDArray of(NDArray like, float value) {
    return like.getManager().create(value);
  }
}
