package io.qadistill.train;

/**
 * From the summed gradient of a global batch to the new parameters, as one process training on that batch would do
 * it: the mean over windows, clipping by global norm, AdamW at the scheduled rate. Every replica of a run applies
 * it (see {@link Replica}), and so does the single-process loop.
 */
public final class Optimizer {
  /** What an update did: the learning rate it used and the gradient's norm before clipping. */
  public record Update(double learningRate, double gradNorm) {}

  /**
   * How a summed gradient enters the update: {@code norm} of its mean (before clipping), and {@code scale}, the
   * factor that turns the sum into the clipped mean.
   */
  public record Clip(double norm, double scale) {}

  private final OptimizerSettings settings;
  private final long totalSteps;
  private final AdamW adam;

  public Optimizer(ParameterLayout layout, OptimizerSettings settings, long totalSteps) {
    this.settings = settings;
    this.totalSteps = totalSteps;
    this.adam = new AdamW(layout, settings.weightDecay(), settings.adamEpsilon());
  }

  /** Applies update {@code step} (0-based) to {@code params}. */
  public Update apply(float[] params, GradientSum sum, long step) {
    float[] gradient = sum.gradient();
    Clip clip = clip(gradient, sum.windows());
    step(params, gradient, clip.scale(), step);
    return new Update(learningRate(step), clip.norm());
  }

  /** The norm of the mean of {@code gradient} (summed over {@code windows}) and the scale to its clipped mean. */
  public Clip clip(float[] gradient, long windows) {
    return clip(gradient, windows, settings);
  }

  /** {@link #clip(float[], long)} under {@code settings}, without an optimizer (the driver's side). */
  public static Clip clip(float[] gradient, long windows, OptimizerSettings settings) {
    double norm = AdamW.norm(gradient) / windows;
    return new Clip(norm, AdamW.clipFactor(norm, settings.maxGradNorm()) / windows);
  }

  /** Applies update {@code step} (0-based) from {@code gradient × scale} (see {@link #clip}). */
  public void step(float[] params, float[] gradient, double scale, long step) {
    adam.step(params, gradient, scale, learningRate(step));
  }

  /** The learning rate of update {@code step} (0-based). */
  public double learningRate(long step) {
    return learningRate(settings, step, totalSteps);
  }

  /** The learning rate of update {@code step} (0-based) of a run of {@code totalSteps} under {@code settings}. */
  public static double learningRate(OptimizerSettings settings, long step, long totalSteps) {
    return settings.learningRate() * AdamW.linearSchedule(step, settings.warmup(totalSteps), totalSteps);
  }

  public AdamW adam() {
    return adam;
  }
}
