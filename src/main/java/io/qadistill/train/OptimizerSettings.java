package io.qadistill.train;

import io.qadistill.common.UsageException;
import java.io.Serializable;

/**
 * AdamW and its schedule; defaults as run_squad_w_distillation.py's.
 *
 * @param learningRate the peak learning rate (5e-5)
 * @param weightDecay AdamW's decoupled weight decay, not applied to biases and LayerNorm weights (0)
 * @param adamEpsilon AdamW's ε (1e-8)
 * @param maxGradNorm clip the averaged gradient to this global L2 norm; 0 = no clipping (1.0)
 * @param warmupSteps steps of linear warm-up from 0, after which the rate decays linearly to 0 at the end (0)
 * @param warmupRatio warm-up as a fraction of the run's steps, used when {@code warmupSteps} is 0 (transformers'
 *     {@code warmup_ratio}; 0)
 */
public record OptimizerSettings(double learningRate, double weightDecay, double adamEpsilon, double maxGradNorm,
                                int warmupSteps, double warmupRatio) implements Serializable {
  public static final double LEARNING_RATE = 5e-5;
  public static final double ADAM_EPSILON = 1e-8;
  public static final double MAX_GRAD_NORM = 1.0;
  public static final OptimizerSettings DEFAULT =
      new OptimizerSettings(LEARNING_RATE, 0.0, ADAM_EPSILON, MAX_GRAD_NORM, 0, 0);

  public OptimizerSettings {
    if (!(learningRate > 0 && learningRate < 1)) {
      throw new UsageException("learning rate " + learningRate + " must be in (0, 1) (default " + LEARNING_RATE + ")");
    }
    if (!(weightDecay >= 0 && weightDecay < 1)) {
      throw new UsageException("weight decay " + weightDecay + " must be in [0, 1) (default 0)");
    }
    if (!(adamEpsilon > 0 && adamEpsilon < 1)) {
      throw new UsageException("adam epsilon " + adamEpsilon + " must be in (0, 1) (default " + ADAM_EPSILON + ")");
    }
    if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
      throw new UsageException("max grad norm " + maxGradNorm + " must be ≥ 0 (0: no clipping; default " + MAX_GRAD_NORM + ")");
    }
    if (warmupSteps < 0) {
      throw new UsageException("warm-up steps " + warmupSteps + " must be ≥ 0");
    }
    if (!(warmupRatio >= 0 && warmupRatio < 1)) {
      throw new UsageException("warm-up ratio " + warmupRatio + " must be in [0, 1) (a fraction of the steps)");
    }
  }

  /** Warm-up given in steps (or none). */
  public OptimizerSettings(double learningRate, double weightDecay, double adamEpsilon, double maxGradNorm,
                           int warmupSteps) {
    this(learningRate, weightDecay, adamEpsilon, maxGradNorm, warmupSteps, 0);
  }

  /** The warm-up steps of a run of {@code totalSteps}: as given, else transformers' ⌈ratio × steps⌉. */
  public long warmup(long totalSteps) {
    return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
  }
}
