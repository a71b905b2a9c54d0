package io.qadistill.train;

/**
 * What the training loop ({@link TrainJob#train}) reports to, in order: the metrics file, the progress log, the
 * checkpoint writer.
 */
interface TrainListener {
  /** After the round that ended at {@code stats.step()}. */
  void onStep(StepStats stats);

  /** The run went back to {@code step} (a lost replica, see {@link Replicas}): the steps after it are done again. */
  default void onRollback(long step) {}
}
