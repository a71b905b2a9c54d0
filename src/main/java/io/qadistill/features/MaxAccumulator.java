package io.qadistill.features;

import org.apache.spark.util.AccumulatorV2;

/** The largest value any task added: Spark's own accumulators sum, and a maximum needs no extra pass. */
public final class MaxAccumulator extends AccumulatorV2<Long, Long> {
  private long max = Long.MIN_VALUE;

  @Override
  public boolean isZero() {
    return max == Long.MIN_VALUE;
  }

  @Override
  public AccumulatorV2<Long, Long> copy() {
    MaxAccumulator c = new MaxAccumulator();
    c.max = max;
    return c;
  }

  @Override
  public void reset() {
    max = Long.MIN_VALUE;
  }

  @Override
  public void add(Long v) {
    max = Math.max(max, v);
  }

  @Override
  public void merge(AccumulatorV2<Long, Long> other) {
    max = Math.max(max, ((MaxAccumulator) other).max);
  }

  /** The maximum, or 0 when nothing was added. */
  @Override
  public Long value() {
    return isZero() ? 0L : max;
  }
}
