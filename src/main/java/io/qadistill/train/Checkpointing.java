package io.qadistill.train;

import io.qadistill.common.UsageException;
import java.io.Serializable;

/**
 * When checkpoints are written and whether a run continues from one.
 *
 * @param every write a checkpoint every this many steps (and always at the end); 0 = only at the end
 * @param keep checkpoints kept in the output directory, the newest (older ones are deleted once a newer one is
 *     complete); ≥ 1
 * @param resume continue from the newest checkpoint in the output directory (start afresh when there is none);
 *     without it an output directory that holds checkpoints is refused
 * @param stopAfter leave after this many steps of this run, with a checkpoint, for time-boxed runs (--resume
 *     continues); 0 = run to the end
 */
public record Checkpointing(long every, int keep, boolean resume, long stopAfter) implements Serializable {
  public static final Checkpointing DEFAULT = new Checkpointing(500, 2, false, 0);

  public Checkpointing {
    if (every < 0) {
      throw new UsageException("checkpoint every " + every + " steps: must be ≥ 0 (0: only at the end)");
    }
    if (keep < 1) {
      throw new UsageException("keep " + keep + " checkpoints: must be ≥ 1");
    }
    if (stopAfter < 0) {
      throw new UsageException("stop after " + stopAfter + " steps: must be ≥ 0 (0: run to the end)");
    }
  }

  public Checkpointing withResume(boolean r) {
    return new Checkpointing(every, keep, r, stopAfter);
  }

  public Checkpointing withStopAfter(long steps) {
    return new Checkpointing(every, keep, resume, steps);
  }
}
