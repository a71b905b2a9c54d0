package io.qadistill.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.qadistill.model.BertQaBlock;
import io.qadistill.model.QaPredictor;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The gradient of the loss summed over a batch of windows, for a model whose parameters require gradients:
 * the batch padded to its longest window, one forward and one backward pass, in a native memory scope freed
 * before returning.
 */
public final class GradientStep {
  private GradientStep() {}

  /** Makes every parameter of {@code block} a leaf that collects a gradient. */
  public static void requireGradients(BertQaBlock block) {
    block.parameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
  }

  /** The loss sums and gradient over {@code batch}; dropout is on when the model's config has any. */
  public static GradientSum compute(BertQaBlock block, NDManager manager, ParameterLayout layout,
                                    List<TrainRow> batch, DistillLoss loss) {
    long t0 = System.nanoTime();
    block.zeroGradients();
    int n = batch.size();
    int length = batch.stream().mapToInt(TrainRow::length).max().orElseThrow();
    long tokens = batch.stream().mapToInt(TrainRow::length).sum();
    double total;
    double distill;
    double squad;
    try (NDManager scope = manager.newSubManager()) {
      List<int[]> ids = batch.stream().map(TrainRow::inputIds).toList();
      List<int[]> types = batch.stream().map(TrainRow::tokenTypeIds).toList();
      NDList inputs = QaPredictor.pad(scope, ids, types, IntStream.range(0, n).toArray(), length);
      NDArray mask = inputs.get(2).toType(DataType.FLOAT32, false);
      NDArray startPositions = scope.create(batch.stream().mapToLong(TrainRow::startPosition).toArray());
      NDArray endPositions = scope.create(batch.stream().mapToLong(TrainRow::endPosition).toArray());
      NDArray teacherStart = loss.needsTeacher() ? padded(scope, batch, length, true) : null;
      NDArray teacherEnd = loss.needsTeacher() ? padded(scope, batch, length, false) : null;
      try (Autograd autograd = Autograd.record()) {
        NDList out = block.forward(new ParameterStore(scope, false), inputs, true);
        DistillLoss.Sums sums = loss.sums(out.get(0), out.get(1), mask, startPositions, endPositions,
            teacherStart, teacherEnd);
        autograd.backward(sums.total());
        total = sums.total().getFloat();
        distill = sums.distill().getFloat();
        squad = sums.squad().getFloat();
      }
    }
    float[] gradient = layout.gradients(block);
    return new GradientSum(gradient, total, distill, squad, n, tokens, (System.nanoTime() - t0) / 1e9);
  }

  private static NDArray padded(NDManager scope, List<TrainRow> batch, int length, boolean start) {
    float[] values = new float[batch.size() * length];
    for (int r = 0; r < batch.size(); r++) {
      TrainRow row = batch.get(r);
      float[] logits = start ? row.teacherStart() : row.teacherEnd();
      System.arraycopy(logits, 0, values, r * length, logits.length);
    }
    return scope.create(values, new Shape(batch.size(), length));
  }
}
