package io.qadistill.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The question-answering loss of transformers' {@code BertForQuestionAnswering}: the cross-entropy of the start
 * logits against the start positions and of the end logits against the end positions, each averaged over the
 * batch, and the mean of the two. Differentiable NDArray ops, so a training step calls {@code backward} on it.
 *
 * <p>One difference, on purpose: padding positions are left out of the softmax (transformers puts the whole padded
 * row through it). Rows here are padded to their batch's longest, so without this a row's loss would depend on the
 * batch it landed in; for unpadded rows the two are equal. The distillation loss ({@code train.DistillLoss}) takes
 * its hard-label term from {@link #perWindow}, summed rather than averaged (the trainer sums over partitions and
 * divides once).
 */
public final class QaLoss {
  private QaLoss() {}

  /**
   * Log-softmax over each row's real tokens: {@code logits} [batch, length], {@code attentionMask} [batch, length]
   * (1 real, 0 padding). Padding positions get a very negative finite value (never -inf, so a zero weight times
   * it stays 0) and no probability mass.
   */
  public static NDArray logProbabilities(NDArray logits, NDArray attentionMask) {
    NDArray padding = attentionMask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE);
    return logits.add(padding).logSoftmax(1);
  }

  /**
   * -log p(position) per row, [batch]: {@code positions} [batch] int64, each the index of a real token of its row
   * (0, the CLS token, where the answer is not in the window).
   */
  public static NDArray perWindow(NDArray logits, NDArray attentionMask, NDArray positions) {
    return logProbabilities(logits, attentionMask).gather(positions.reshape(-1, 1), 1).reshape(-1).neg();
  }

  /** The mean of {@link #perWindow} over the batch, a scalar. */
  public static NDArray crossEntropy(NDArray logits, NDArray attentionMask, NDArray positions) {
    return perWindow(logits, attentionMask, positions).mean();
  }

  /** (crossEntropy(start) + crossEntropy(end)) / 2, a scalar. */
  public static NDArray loss(NDArray startLogits, NDArray endLogits, NDArray attentionMask,
                             NDArray startPositions, NDArray endPositions) {
    return crossEntropy(startLogits, attentionMask, startPositions)
        .add(crossEntropy(endLogits, attentionMask, endPositions)).div(Scalars.of(startLogits, 2f));
  }
}
