package io.qadistill.train;

import io.qadistill.model.QaModel;
import io.qadistill.model.QaObjective;
import io.qadistill.model.TrainBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient of the loss summed over a batch of windows, for a model whose parameters require gradients. The
 * batch goes through the model in passes of at most {@link #PASS_TOKENS} padded tokens (each pass padded to its
 * longest window, one forward and one backward pass in a native memory scope freed before the next), and the
 * passes' gradients are summed: the same sum as one pass over the batch, since a window's loss does not depend on
 * the windows beside it (padding is masked), while the activations kept for the backward pass, which grow with
 * windows × length² (attention), stay bounded. With 1,024 tokens the embedded default's fine-tuning of MiniLM
 * (batches of 16, a 2 GB heap) peaked at 3.6 GiB resident in all, against 4.3 GiB with 2,048, and took no longer
 * (docs/benchmarks.md, "Embedded pipeline").
 */
public final class GradientStep {
  /** Padded tokens (windows × the longest) of one pass; a longer window goes alone. */
  public static final int PASS_TOKENS = 1024;

  private GradientStep() {}

  /**
   * The loss sums and gradient over {@code batch}; dropout is on when the model's config has any. {@code teacher}
   * computes the hidden states a hidden-state term compares with (null without one).
   */
  public static GradientSum compute(QaModel model, QaModel teacher, ParameterLayout layout, List<TrainRow> batch,
                                    DistillLoss loss) {
    return compute(model, teacher, layout, batch, loss, PASS_TOKENS);
  }

  static GradientSum compute(QaModel model, QaModel teacher, ParameterLayout layout, List<TrainRow> batch,
                             DistillLoss loss, int passTokens) {
    long t0 = System.nanoTime();
    long tokens = batch.stream().mapToInt(TrainRow::length).sum();
    float[] gradient = null;
    double total = 0;
    double distill = 0;
    double squad = 0;
    double hidden = 0;
    for (List<TrainRow> pass : passes(batch, passTokens)) {
      QaObjective.Values sums = model.backward(inputs(pass, loss), loss, teacher);
      float[] passGradient = layout.gradients(model);
      if (gradient == null) {
        gradient = passGradient;
      } else {
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] += passGradient[i];
        }
      }
      total += sums.total();
      distill += sums.distill();
      squad += sums.squad();
      hidden += sums.hidden();
    }
    return new GradientSum(gradient, total, distill, squad, batch.size(), tokens, (System.nanoTime() - t0) / 1e9)
        .withHidden(hidden);
  }

  /** {@code batch} cut, in its order, into runs of at most {@code passTokens} padded tokens (at least a window). */
  static List<List<TrainRow>> passes(List<TrainRow> batch, int passTokens) {
    List<List<TrainRow>> passes = new ArrayList<>();
    int from = 0;
    int longest = 0;
    for (int i = 0; i < batch.size(); i++) {
      int length = batch.get(i).length();
      if (i > from && (long) Math.max(longest, length) * (i - from + 1) > passTokens) {
        passes.add(batch.subList(from, i));
        from = i;
        longest = 0;
      }
      longest = Math.max(longest, length);
    }
    passes.add(batch.subList(from, batch.size()));
    return passes;
  }

  private static TrainBatch inputs(List<TrainRow> rows, DistillLoss loss) {
    return new TrainBatch(rows.stream().map(TrainRow::inputIds).toList(),
        rows.stream().map(TrainRow::tokenTypeIds).toList(),
        rows.stream().mapToLong(TrainRow::startPosition).toArray(),
        rows.stream().mapToLong(TrainRow::endPosition).toArray(),
        loss.needsTeacher() ? rows.stream().map(TrainRow::teacherStart).toList() : null,
        loss.needsTeacher() ? rows.stream().map(TrainRow::teacherEnd).toList() : null);
  }
}
