package io.qadistill.train;

import io.qadistill.common.UsageException;

/**
 * What a training run does, resolved from its configuration and its data: what the job runs and what a pipeline
 * or a user asks before running it ({@link TrainJob#plan}).
 *
 * @param partitions training partitions, one task each
 * @param windows windows trained on (the features with the teacher's logits, when distilling)
 * @param steps steps in all
 * @param warmupSteps steps of linear warm-up of the learning rate
 * @param checkpointEvery steps between checkpoints; 0 = only at the end
 * @param logEvery steps between progress lines (and checks that the replicas agree)
 * @param localSteps steps each partition takes alone per round; 1 = one global gradient step per round
 */
public record TrainPlan(int partitions, long windows, long steps, long warmupSteps, long checkpointEvery,
                        long logEvery, int localSteps) {

  /** The plan of {@code config} over {@code windows} windows in {@code partitions} partitions. */
  public static TrainPlan of(TrainConfig config, long windows, int partitions) {
    long steps = config.batches().totalSteps(windows, partitions);
    return new TrainPlan(partitions, windows, steps, config.optimizer().warmup(steps),
        steps(config.checkpoints().every(), steps), Math.max(1, steps(config.logEvery(), steps)),
        config.batches().localSteps());
  }

  /**
   * An interval of steps given as a number of steps (≥ 1), or as a fraction of the run's {@code steps} (below 1,
   * as transformers' {@code save_steps} and {@code logging_steps}; at least 1 step); 0 stays 0.
   */
  static long steps(double every, long steps) {
    return every >= 1 || every == 0 ? (long) every : Math.max(1, (long) Math.ceil(every * steps));
  }

  /** {@code every} if it is an interval {@link #steps} understands, else a usage error naming {@code option}. */
  static double interval(double every, String option) {
    if (!(every >= 0) || Double.isInfinite(every) || every >= 1 && every != Math.rint(every)) {
      throw new UsageException(option + " " + every + " must be a whole number of steps, or a fraction of the run's "
          + "steps below 1 (e.g. 0.25: every quarter)");
    }
    return every;
  }
}
