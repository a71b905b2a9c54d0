package io.qadistill.train;

import io.qadistill.model.BertQaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference for the Spark trainer: one model in this process, trained on given global batches with the same
 * loss and optimizer, no Spark. Also the baseline of TrainBench.
 */
public final class SingleProcessLoop {
  /** The parameters after the last step, and each step's statistics (times: the whole step as compute). */
  public record Result(float[] params, List<StepStats> steps) {}

  private SingleProcessLoop() {}

  /**
   * The global batches a Spark run of {@code steps} steps over {@code data} takes: step s is the union over
   * partitions of the rows {@link BatchPlan} gives partition p, in partition order.
   */
  public static List<List<TrainRow>> unionBatches(TrainData data, int batch, long seed, long steps) {
    List<List<TrainRow>> partitions = data.rows().glom().collect();
    List<BatchPlan> plans = new ArrayList<>();
    for (int p = 0; p < partitions.size(); p++) {
      plans.add(new BatchPlan(partitions.get(p).size(), batch, seed, p));
    }
    List<List<TrainRow>> out = new ArrayList<>();
    for (long s = 0; s < steps; s++) {
      List<TrainRow> union = new ArrayList<>();
      for (int p = 0; p < partitions.size(); p++) {
        for (int i : plans.get(p).rows(s)) {
          union.add(partitions.get(p).get(i));
        }
      }
      out.add(union);
    }
    return out;
  }

  /** Trains {@code student} on {@code batches}, one step each; the schedule's end is {@code totalSteps}. */
  public static Result run(StudentSpec student, DistillLoss loss, Optimization optimization, long totalSteps,
                           List<List<TrainRow>> batches) {
    try (BertQaModel model = Students.build(student)) {
      ParameterLayout layout = new ParameterLayout(model.block());
      float[] params = layout.read(model.block());
      ParameterLayout.Writer writer = layout.writer(model.block());
      GradientStep.requireGradients(model.block());
      Optimizer optimizer = new Optimizer(layout, optimization, totalSteps);
      List<StepStats> steps = new ArrayList<>();
      for (int s = 0; s < batches.size(); s++) {
        long t0 = System.nanoTime();
        writer.write(params);
        GradientSum sum = GradientStep.compute(model.block(), model.manager(), layout, batches.get(s), loss);
        Optimizer.Update update = optimizer.apply(params, sum, s);
        double n = sum.windows();
        steps.add(new StepStats(s + 1, sum.loss() / n, sum.distill() / n, sum.squad() / n, update.learningRate(),
            update.gradNorm(), sum.windows(), sum.tokens(), 0, (System.nanoTime() - t0) / 1e9, 0, 0, 0));
      }
      return new Result(params, steps);
    }
  }
}
