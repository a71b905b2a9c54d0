package io.qadistill.train;

import io.qadistill.common.UsageException;
import io.qadistill.model.StudentSpec;
import java.io.Serializable;

/**
 * What distill (and finetune, its {@code alpha_ce = 0} case) reads, trains and writes.
 *
 * @param features the features table (the --out of featurize)
 * @param logits the logits table (the --out of teacher-logits), or null when fine-tuning
 * @param teacher the fingerprint of the teacher whose logits to use, or null when the table holds one teacher's
 * @param out the output directory, on the driver's local file system: the final model directory
 * @param student how the student is made
 * @param loss T, alpha_ce, alpha_squad
 * @param optimization AdamW and the schedule
 * @param batching batch size, epochs or steps, partitions, seed
 * @param checkpoints when to checkpoint, whether to resume
 * @param logEvery a progress line every this many steps (step/total, loss and its parts, learning rate, windows/s,
 *     ETA); metrics.jsonl gets every step
 * @param threads PyTorch threads per training task; 0 = the local cores per partition locally, spark.task.cpus on a
 *     cluster (set it to spark.executor.cores so that one training task has its executor)
 */
public record DistillConfig(String features, String logits, String teacher, String out, StudentSpec student,
                            DistillLoss loss, Optimization optimization, Batching batching, Checkpointing checkpoints,
                            int logEvery, int threads)
    implements Serializable {

  public DistillConfig {
    if (features == null || features.isBlank()) {
      throw new UsageException("no features table: give --features (the --out of featurize)");
    }
    if (out == null || out.isBlank()) {
      throw new UsageException("no output directory: give --out");
    }
    if (loss.needsTeacher() && logits == null) {
      throw new UsageException("distilling with alpha_ce " + loss.alphaCe() + " needs the teacher's logits: give "
          + "--logits (the --out of teacher-logits), or fine-tune with alpha_ce 0");
    }
    if (logEvery < 1) {
      throw new UsageException("log every " + logEvery + " steps: must be ≥ 1 (default 50)");
    }
    if (threads < 0) {
      throw new UsageException("threads " + threads + " must be ≥ 0 (0: automatic)");
    }
  }

  /** Defaults for everything but the inputs, the output and the student. */
  public static DistillConfig defaults(String features, String logits, String out, StudentSpec student) {
    return new DistillConfig(features, logits, null, out, student,
        logits == null ? DistillLoss.FINE_TUNE : DistillLoss.DEFAULT, Optimization.DEFAULT, Batching.DEFAULT,
        Checkpointing.DEFAULT, 50, 0);
  }

  public DistillConfig withBatching(Batching b) {
    return new DistillConfig(features, logits, teacher, out, student, loss, optimization, b, checkpoints, logEvery,
        threads);
  }

  public DistillConfig withOptimization(Optimization o) {
    return new DistillConfig(features, logits, teacher, out, student, loss, o, batching, checkpoints, logEvery,
        threads);
  }

  public DistillConfig withLoss(DistillLoss l) {
    return new DistillConfig(features, logits, teacher, out, student, l, optimization, batching, checkpoints,
        logEvery, threads);
  }

  public DistillConfig withCheckpoints(Checkpointing c) {
    return new DistillConfig(features, logits, teacher, out, student, loss, optimization, batching, c, logEvery,
        threads);
  }

  public DistillConfig withLogEvery(int n) {
    return new DistillConfig(features, logits, teacher, out, student, loss, optimization, batching, checkpoints, n,
        threads);
  }

  public DistillConfig withOut(String o) {
    return new DistillConfig(features, logits, teacher, o, student, loss, optimization, batching, checkpoints,
        logEvery, threads);
  }
}
