package io.qadistill.train;

/**
 * How a student is distilled when nothing else is said: {@code distill}'s defaults and the pipeline's student. The
 * variant chosen on held-out train-v1.1 questions (docs/benchmarks.md, "Distillation variants on the slice"):
 * run_squad_w_distillation.py's loss ({@link DistillLoss#DEFAULT}; other weights were not better beyond noise),
 * three passes over the cached teacher logits, batches of 16, a peak learning rate of 2e-4 (a student made of the
 * teacher's own layers takes a higher rate than fine-tuning's 5e-5), warm-up over the first 10% of the steps, then
 * linear decay. Fine-tuning keeps run_squad.py's defaults ({@link OptimizerSettings#DEFAULT},
 * {@link BatchSettings#DEFAULT}).
 */
public final class DistillDefaults {
  public static final double EPOCHS = 3.0;
  public static final int BATCH_SIZE = 16;
  public static final double LEARNING_RATE = 2e-4;
  public static final double WARMUP_RATIO = 0.1;

  private DistillDefaults() {}
}
