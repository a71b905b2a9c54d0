package io.qadistill.train;

/**
 * The driver's half of a step: from the summed gradient of the global batch to the new parameters, as one process
 * training on that batch would do it: the mean over windows, clipping by global norm, AdamW at the scheduled rate.
 */
public final class Optimizer {
  /** What an update did: the learning rate it used and the gradient's norm before clipping. */
  public record Update(double learningRate, double gradNorm) {}

  private final Optimization settings;
  private final long totalSteps;
  private final AdamW adam;

  public Optimizer(ParameterLayout layout, Optimization settings, long totalSteps) {
    this.settings = settings;
    this.totalSteps = totalSteps;
    this.adam = new AdamW(layout, settings.weightDecay(), settings.adamEpsilon());
  }

  /** Applies update {@code step} (0-based) to {@code params}. */
  public Update apply(float[] params, GradientSum sum, long step) {
    float[] gradient = sum.gradient();
    double norm = AdamW.norm(gradient) / sum.windows(); // of the mean
    double scale = AdamW.clipFactor(norm, settings.maxGradNorm()) / sum.windows();
    double lr = learningRate(step);
    adam.step(params, gradient, scale, lr);
    return new Update(lr, norm);
  }

  /** The learning rate of update {@code step} (0-based). */
  public double learningRate(long step) {
    return settings.learningRate() * AdamW.linearSchedule(step, settings.warmupSteps(), totalSteps);
  }

  public AdamW adam() {
    return adam;
  }
}
