package io.qadistill.train;

import java.util.Arrays;

/**
 * A partition's copy of what training changes: the parameters and AdamW's state (moments and update count), and
 * the update it has yet to apply (the step's summed gradient with its clipping scale). Every replica of a run
 * applies the same updates in the same order with the same code ({@link Optimizer}), so all hold the same floats
 * (see {@link AdamW} for why they are bit-identical across JVMs); {@link #checksum()} lets the driver check it.
 *
 * <p>Plain arrays, no Spark or DJL: the {@link Worker} that holds it copies the parameters into its model.
 */
final class Replica {
  private final Optimizer optimizer;
  private float[] params;
  private long steps = -1;
  private float[] pending;
  private long pendingStep = -1;
  private double pendingScale;

  Replica(Optimizer optimizer) {
    this.optimizer = optimizer;
  }

  /** Continues from {@code state} (parameters and both moments end to end, {@link AdamW#state}) after {@code steps}. */
  void reset(long steps, float[] state) {
    params = optimizer.adam().restoreState(steps, state);
    this.steps = steps;
    pendingStep = -1;
  }

  /** Updates applied; -1 for a replica that holds no state yet (its executor is new). */
  long steps() {
    return steps;
  }

  /**
   * Sets update {@code step}: {@code gradient} (a step's summed gradient, which the replica takes over, or unpacked
   * here from {@code packed} when {@code gradient} is null) times {@code scale} ({@link Optimizer#clip}); applied by
   * {@link #advanceTo}.
   */
  void setUpdate(long step, float[] gradient, PackedFloats packed, double scale) {
    if (gradient != null) {
      pending = gradient;
    } else {
      if (pending == null || pending.length != params.length) {
        pending = new float[params.length];
      }
      packed.unpackInto(pending);
    }
    pendingStep = step;
    pendingScale = scale;
  }

  /**
   * Brings the replica to {@code step} updates: nothing when it is there, the pending update when it is one step
   * behind. False when it cannot: no state, or no update for the step it is at (what a new executor finds).
   */
  boolean advanceTo(long step) {
    if (steps == step) {
      return true;
    }
    if (steps < 0 || steps != step - 1 || pendingStep != steps) {
      return false;
    }
    optimizer.step(params, pending, pendingScale, steps);
    steps++;
    return true;
  }

  /** Applies update {@code steps()} from a partition's own gradient, as one process would (local steps). */
  Optimizer.Update step(GradientSum sum) {
    Optimizer.Update update = optimizer.apply(params, sum, steps);
    steps++;
    return update;
  }

  /** The parameters (the array itself). */
  float[] params() {
    return params;
  }

  /** Parameters and both moments end to end. */
  float[] state() {
    return optimizer.adam().state(params);
  }

  Optimizer optimizer() {
    return optimizer;
  }

  /** A checksum of the parameters, both moments and the update count. */
  int checksum() {
    int n = params.length;
    return combine(steps, hash(params, 0, n), hash(optimizer.adam().firstMoments(), 0, n),
        hash(optimizer.adam().secondMoments(), 0, n));
  }

  /** {@link #checksum()} of a replica that holds {@code state} ({@link #state()}) after {@code steps}: the driver's. */
  static int checksum(long steps, float[] state) {
    int n = state.length / 3;
    return combine(steps, hash(state, 0, n), hash(state, n, 2 * n), hash(state, 2 * n, 3 * n));
  }

  private static int combine(long steps, int params, int first, int second) {
    return Arrays.hashCode(new int[] {Long.hashCode(steps), params, first, second});
  }

  /** {@link Arrays#hashCode(float[])} of a range, without copying it (the state is 3 × 4 bytes a parameter). */
  private static int hash(float[] values, int from, int to) {
    int h = 1;
    for (int i = from; i < to; i++) {
      h = 31 * h + Float.floatToIntBits(values[i]);
    }
    return h;
  }
}
