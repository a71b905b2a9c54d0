package io.qadistill.train;

import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import io.qadistill.model.QaModel;
import java.nio.file.Path;
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
   * partitions of the rows {@link PartitionBatches} gives partition p, in partition order.
   */
  public static List<List<TrainRow>> unionBatches(TrainData data, BatchSettings batching, long steps) {
    List<List<List<TrainRow>>> partitions = partitionBatches(data, batching, steps);
    List<List<TrainRow>> out = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      List<TrainRow> union = new ArrayList<>();
      for (List<List<TrainRow>> partition : partitions) {
        union.addAll(partition.get(s));
      }
      out.add(union);
    }
    return out;
  }

  /** Each partition's batches of the first {@code steps} steps: [partition][step]. */
  public static List<List<List<TrainRow>>> partitionBatches(TrainData data, BatchSettings batching, long steps) {
    List<List<TrainRow>> partitions = data.rows().glom().collect();
    List<List<List<TrainRow>>> out = new ArrayList<>();
    for (int p = 0; p < partitions.size(); p++) {
      PartitionBatches plan = PartitionBatches.of(partitions.get(p), batching, p);
      List<List<TrainRow>> batches = new ArrayList<>();
      for (long s = 0; s < steps; s++) {
        List<TrainRow> batch = new ArrayList<>();
        for (int i : plan.rows(s)) {
          batch.add(partitions.get(p).get(i));
        }
        batches.add(batch);
      }
      out.add(batches);
    }
    return out;
  }

  /** Trains {@code student} on {@code batches}, one step each; the schedule's end is {@code totalSteps}. */
  public static Result run(StudentSpec student, DistillLoss loss, OptimizerSettings optimization, long totalSteps,
                           List<List<TrainRow>> batches) {
    return run(student, loss, optimization, totalSteps, batches, null);
  }

  /** As above, with the teacher in {@code teacherDir} computing the hidden states a hidden-state term needs. */
  public static Result run(StudentSpec student, DistillLoss loss, OptimizerSettings optimization, long totalSteps,
                           List<List<TrainRow>> batches, Path teacherDir) {
    try (QaModel model = Students.build(student);
         QaModel teacher = teacherDir == null ? null : QaModel.load(teacherDir)) {
      ParameterLayout layout = new ParameterLayout(model);
      float[] params = layout.read(model);
      ParameterLayout.Writer writer = layout.writer(model);
      model.requireGradients();
      Optimizer optimizer = new Optimizer(layout, optimization, totalSteps);
      List<StepStats> steps = new ArrayList<>();
      for (int s = 0; s < batches.size(); s++) {
        long t0 = System.nanoTime();
        writer.write(params);
        GradientSum sum = GradientStep.compute(model, teacher, layout, batches.get(s), loss);
        Optimizer.Update update = optimizer.apply(params, sum, s);
        double n = sum.windows();
        steps.add(new StepStats(s + 1, sum.loss() / n, sum.distill() / n, sum.squad() / n, sum.hidden() / n, update.learningRate(),
            update.gradNorm(), sum.windows(), sum.tokens(), 0, (System.nanoTime() - t0) / 1e9, 0, 0, 0, 0, 0, 0));
      }
      return new Result(params, steps);
    }
  }
}
