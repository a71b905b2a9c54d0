package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The QA loss on hand-made logits against the formula written out in Java. */
class QaLossTest {
  // two rows padded to 4; row 1 has 3 real tokens, and its padding logit (9) would dominate an unmasked softmax
  private static final float[] START = {1, 2, 0.5f, -1, 0.3f, -0.2f, 2.5f, 9};
  private static final float[] END = {0, 0, 3, 1, 1.5f, 0.1f, -2, 9};
  private static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 0};

  @Test
  void lossIsTheMeanOfStartAndEndCrossEntropyOverRealTokens() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray start = m.create(START, new Shape(2, 4));
      NDArray end = m.create(END, new Shape(2, 4));
      NDArray mask = m.create(MASK, new Shape(2, 4));
      float loss = QaLoss.loss(start, end, mask, m.create(new long[] {1, 2}), m.create(new long[] {2, 0}))
          .getFloat();
      double startCe = (nll(START, 0, 4, 1) + nll(START, 4, 3, 2)) / 2;
      double endCe = (nll(END, 0, 4, 2) + nll(END, 4, 3, 0)) / 2;
      assertThat((double) loss).isCloseTo((startCe + endCe) / 2, within(1e-6));

      float[] logp = QaLoss.logProbabilities(start, mask).toFloatArray();
      assertThat(Math.exp(logp[4]) + Math.exp(logp[5]) + Math.exp(logp[6])).as("row 1's real tokens hold all mass")
          .isCloseTo(1.0, within(1e-6));
      assertThat(Float.isFinite(logp[7])).as("padding's log-probability stays finite").isTrue();
    }
  }

  /** -log softmax(row)[target] over {@code n} values of {@code logits} from {@code from}. */
  private static double nll(float[] logits, int from, int n, int target) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(logits[from + i]);
    }
    return Math.log(sum) - logits[from + target];
  }
}
