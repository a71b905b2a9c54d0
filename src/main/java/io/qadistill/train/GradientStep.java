package io.qadistill.train;

import io.qadistill.model.QaModel;
import io.qadistill.model.QaObjective;
import io.qadistill.model.TrainBatch;
import java.util.List;

/**
 * The gradient of the loss summed over a batch of windows, for a model whose parameters require gradients:
 * the batch padded to its longest window, one forward and one backward pass, in a native memory scope freed
 * before returning.
 */
public final class GradientStep {
  private GradientStep() {}

  /** The loss sums and gradient over {@code batch}; dropout is on when the model's config has any. */
  public static GradientSum compute(QaModel model, ParameterLayout layout, List<TrainRow> batch, DistillLoss loss) {
    long t0 = System.nanoTime();
    long tokens = batch.stream().mapToInt(TrainRow::length).sum();
    TrainBatch inputs = new TrainBatch(batch.stream().map(TrainRow::inputIds).toList(),
        batch.stream().map(TrainRow::tokenTypeIds).toList(),
        batch.stream().mapToLong(TrainRow::startPosition).toArray(),
        batch.stream().mapToLong(TrainRow::endPosition).toArray(),
        loss.needsTeacher() ? batch.stream().map(TrainRow::teacherStart).toList() : null,
        loss.needsTeacher() ? batch.stream().map(TrainRow::teacherEnd).toList() : null);
    QaObjective.Values sums = model.backward(inputs, loss);
    float[] gradient = layout.gradients(model);
    return new GradientSum(gradient, sums.total(), sums.distill(), sums.squad(), batch.size(), tokens,
        (System.nanoTime() - t0) / 1e9);
  }
}
