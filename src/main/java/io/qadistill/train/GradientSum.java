package io.qadistill.train;

import java.io.Serializable;

/**
 * What a step's partitions send back, summed by {@code treeAggregate}: the gradient of the summed loss, the loss
 * and its parts summed over windows, the windows and tokens, and the longest time a partition spent computing.
 * The empty sum (the aggregation's zero) holds no gradient array, so the task closure stays small.
 */
public final class GradientSum implements Serializable {
  private float[] gradient;
  private double loss;
  private double distill;
  private double squad;
  private long windows;
  private long tokens;
  private double computeSeconds;

  /** The empty sum. */
  public GradientSum() {}

  public GradientSum(float[] gradient, double loss, double distill, double squad, long windows, long tokens,
                     double computeSeconds) {
    this.gradient = gradient;
    this.loss = loss;
    this.distill = distill;
    this.squad = squad;
    this.windows = windows;
    this.tokens = tokens;
    this.computeSeconds = computeSeconds;
  }

  /** Adds {@code other} into this one (reusing this one's arrays) and returns this one. */
  public GradientSum add(GradientSum other) {
    if (other.gradient != null) {
      if (gradient == null) {
        gradient = other.gradient;
      } else {
        if (gradient.length != other.gradient.length) {
          throw new IllegalStateException("gradients of " + gradient.length + " and " + other.gradient.length + " values");
        }
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] += other.gradient[i];
        }
      }
    }
    loss += other.loss;
    distill += other.distill;
    squad += other.squad;
    windows += other.windows;
    tokens += other.tokens;
    computeSeconds = Math.max(computeSeconds, other.computeSeconds);
    return this;
  }

  /** The summed gradient (the array itself). */
  public float[] gradient() {
    return gradient;
  }

  public double loss() {
    return loss;
  }

  public double distill() {
    return distill;
  }

  public double squad() {
    return squad;
  }

  public long windows() {
    return windows;
  }

  public long tokens() {
    return tokens;
  }

  /** The longest a partition spent computing its gradient (the step waits for that one). */
  public double computeSeconds() {
    return computeSeconds;
  }
}
