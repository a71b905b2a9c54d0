package io.qadistill.train;

import io.qadistill.common.UsageException;
import java.io.Serializable;

/**
 * When checkpoints are written and whether a run continues from one.
 *
 * @param every write a checkpoint every this many steps, or this fraction of the run's steps when below 1 (and
 *     always at the end); 0 = only at the end
 * @param keep checkpoints kept in the output directory, the newest (older ones are deleted once a newer one is
 *     complete); ≥ 1
 * @param resume continue from the newest checkpoint in the output directory (start afresh when there is none);
 *     without it an output directory that holds checkpoints is refused
 * @param stopAfter leave after this many steps of this run, with a checkpoint, for time-boxed runs (--resume
 *     continues); 0 = run to the end
 */
public record CheckpointSettings(double every, int keep, boolean resume, long stopAfter) implements Serializable {
  public static final int EVERY = 500;
  public static final int KEEP = 2;
  public static final CheckpointSettings DEFAULT = new CheckpointSettings(EVERY, KEEP, false, 0);

  public CheckpointSettings {
    TrainPlan.interval(every, "checkpoint every");
    if (keep < 1) {
      throw new UsageException("keep " + keep + " checkpoints: must be ≥ 1");
    }
    if (stopAfter < 0) {
      throw new UsageException("stop after " + stopAfter + " steps: must be ≥ 0 (0: run to the end)");
    }
  }

  public CheckpointSettings withResume(boolean r) {
    return new CheckpointSettings(every, keep, r, stopAfter);
  }

  public CheckpointSettings withStopAfter(long steps) {
    return new CheckpointSettings(every, keep, resume, steps);
  }
}
