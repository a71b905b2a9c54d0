package io.qadistill.model;

import ai.djl.ndarray.NDArray;

/** A training loss over a batch's logits, as differentiable array ops; {@link QaModel#backward} runs it. */
public interface QaObjective {
  /** Sums over the batch's windows: {@code total} to differentiate, and its two parts reported beside it. */
  interface Terms {
    NDArray total();

    NDArray distill();

    NDArray squad();
  }

  /** The terms' values after a backward pass; {@code hidden} is the hidden-state term (0 without one). */
  record Values(double total, double distill, double squad, double hidden) {}

  /** Whether the loss reads teacher logits. */
  boolean needsTeacher();

  /**
   * The weight of a term comparing the last hidden state with the teacher's, which the teacher computes during
   * training (forward only); 0: none.
   */
  default double hiddenWeight() {
    return 0;
  }

  /**
   * The hidden-state term summed over the batch's windows, before its weight (called when {@link #hiddenWeight()}
   * is above 0).
   *
   * @param hidden the student's last hidden state [batch, length, hidden]
   * @param teacherHidden the teacher's [batch, length, hidden], of the same width
   * @param mask 1 for a window's tokens, 0 for padding [batch, length], float32
   */
  default NDArray hiddenSums(NDArray hidden, NDArray teacherHidden, NDArray mask) {
    throw new UnsupportedOperationException("this loss has no hidden-state term");
  }

  /**
   * @param start student start logits [batch, length]
   * @param end student end logits [batch, length]
   * @param mask 1 for a window's tokens, 0 for padding [batch, length], float32
   * @param startPositions [batch] int64
   * @param endPositions [batch] int64
   * @param teacherStart teacher start logits [batch, length] (any value at padding), or null when not needed
   * @param teacherEnd as teacherStart, for the end
   */
  Terms sums(NDArray start, NDArray end, NDArray mask, NDArray startPositions, NDArray endPositions,
             NDArray teacherStart, NDArray teacherEnd);
}
