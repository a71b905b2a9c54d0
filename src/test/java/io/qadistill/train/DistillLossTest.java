package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qadistill.common.UsageException;
import io.qadistill.model.Autograd;
import org.junit.jupiter.api.Test;

/**
 * The DJL loss against run_squad_w_distillation.py's formula written out here in plain Java (doubles, each
 * window over its own tokens only), on hand-built logits with padding.
 */
class DistillLossTest {
  private static final int[] LENGTHS = {5, 3, 4};
  private static final int WIDTH = 5;
  private static final float[][] STUDENT_START = {
      {0.5f, -1.0f, 2.0f, 0.1f, 1.5f}, {3.0f, 0.0f, -2.0f, 0, 0}, {-0.5f, 0.7f, 0.7f, 4.0f, 0}};
  private static final float[][] STUDENT_END = {
      {1.0f, 1.0f, -3.0f, 2.5f, 0.0f}, {-1.0f, 2.0f, 0.5f, 0, 0}, {0.0f, -1.5f, 3.5f, 1.0f, 0}};
  private static final float[][] TEACHER_START = {
      {0.0f, 0.0f, 5.0f, -1.0f, 2.0f}, {1.0f, 1.0f, 1.0f, 0, 0}, {-2.0f, 3.0f, 0.5f, 2.0f, 0}};
  private static final float[][] TEACHER_END = {
      {-1.0f, 2.0f, 0.0f, 4.0f, 0.5f}, {0.5f, 4.0f, -1.0f, 0, 0}, {1.0f, 0.0f, 2.0f, 2.5f, 0}};
  private static final long[] START_POS = {2, 0, 3};
  private static final long[] END_POS = {3, 1, 2};

  @Test
  void distillationLossIsTheScriptsFormula() {
    DistillLoss loss = DistillLoss.DEFAULT;
    double[] expected = reference(2.0, 0.5, 0.5);
    try (NDManager m = NDManager.newBaseManager()) {
      DistillLoss.Sums sums = sums(m, loss, true, 99f);
      assertThat(sums.total().getFloat()).isCloseTo((float) expected[0], within(1e-5f));
      assertThat(sums.distill().getFloat()).isCloseTo((float) expected[1], within(1e-5f));
      assertThat(sums.squad().getFloat()).isCloseTo((float) expected[2], within(1e-5f));
      // the two parts are both non-trivial, so a wrong weighting could not pass
      assertThat(expected[1]).isGreaterThan(0.5);
      assertThat(expected[2]).isGreaterThan(0.5);
    }
  }

  @Test
  void otherTemperatureAndWeights() {
    double[] expected = reference(3.5, 0.8, 0.25);
    try (NDManager m = NDManager.newBaseManager()) {
      DistillLoss.Sums sums = sums(m, new DistillLoss(3.5, 0.8, 0.25), true, 0f);
      assertThat(sums.total().getFloat()).isCloseTo((float) expected[0], within(1e-5f));
    }
  }

  @Test
  void paddingValuesChangeNothing() {
    try (NDManager m = NDManager.newBaseManager()) {
      float a = sums(m, DistillLoss.DEFAULT, true, 0f).total().getFloat();
      float b = sums(m, DistillLoss.DEFAULT, true, 1e4f).total().getFloat();
      assertThat(b).isEqualTo(a);
    }
  }

  @Test
  void alphaCeZeroIsPlainCrossEntropyWithoutTeacher() {
    double[] expected = reference(1.0, 0.0, 1.0);
    double crossEntropy = 0;
    for (int r = 0; r < LENGTHS.length; r++) {
      crossEntropy += (-logSoftmax(STUDENT_START[r], LENGTHS[r], 1)[(int) START_POS[r]]
          - logSoftmax(STUDENT_END[r], LENGTHS[r], 1)[(int) END_POS[r]]) / 2;
    }
    assertThat(expected[0]).isCloseTo(crossEntropy, within(1e-12));
    try (NDManager m = NDManager.newBaseManager()) {
      DistillLoss.Sums sums = sums(m, DistillLoss.FINE_TUNE, false, 7f);
      assertThat(DistillLoss.FINE_TUNE.needsTeacher()).isFalse();
      assertThat(sums.total().getFloat()).isCloseTo((float) crossEntropy, within(1e-5f));
      assertThat(sums.distill().getFloat()).isZero();
    }
  }

  @Test
  void gradientOfTheStudentLogitsIsTheAnalyticOneAndZeroOnPadding() {
    DistillLoss loss = DistillLoss.DEFAULT;
    double t = loss.temperature();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray start = m.create(flat(STUDENT_START), new Shape(3, WIDTH));
      start.setRequiresGradient(true);
      NDArray end = m.create(flat(STUDENT_END), new Shape(3, WIDTH));
      end.setRequiresGradient(true);
      try (Autograd grad = Autograd.record()) {
        DistillLoss.Sums sums = loss.sums(start, end, mask(m), m.create(START_POS), m.create(END_POS),
            m.create(flat(TEACHER_START), new Shape(3, WIDTH)), m.create(flat(TEACHER_END), new Shape(3, WIDTH)));
        grad.backward(sums.total());
      }
      float[] g = start.getGradient().toFloatArray();
      for (int r = 0; r < LENGTHS.length; r++) {
        double[] ps = softmax(STUDENT_START[r], LENGTHS[r], t);
        double[] pt = softmax(TEACHER_START[r], LENGTHS[r], t);
        double[] p1 = softmax(STUDENT_START[r], LENGTHS[r], 1);
        for (int i = 0; i < WIDTH; i++) {
          // d/ds_i of 0.5·T²·KL/2 is 0.5·T·(ps_i − pt_i)/2; of 0.5·CE/2 is 0.5·(p_i − [i = pos])/2
          double expected = i >= LENGTHS[r] ? 0
              : 0.5 * t * (ps[i] - pt[i]) / 2 + 0.5 * (p1[i] - (i == START_POS[r] ? 1 : 0)) / 2;
          assertThat((double) g[r * WIDTH + i]).as("row %d token %d", r, i).isCloseTo(expected, within(1e-6));
        }
      }
    }
  }

  @Test
  void badSettingsAreRefusedWithTheValue() {
    assertThatThrownBy(() -> new DistillLoss(0, 0.5, 0.5)).isInstanceOf(UsageException.class)
        .hasMessageContaining("temperature 0.0");
    assertThatThrownBy(() -> new DistillLoss(2, 0, 0)).isInstanceOf(UsageException.class)
        .hasMessageContaining("not both 0");
    assertThatThrownBy(() -> new DistillLoss(2, -1, 0.5)).isInstanceOf(UsageException.class)
        .hasMessageContaining("alpha_ce -1.0");
  }

  /** {total, distillation part, squad part}, summed over the windows, in plain Java. */
  private static double[] reference(double t, double alphaCe, double alphaSquad) {
    double total = 0;
    double distill = 0;
    double squad = 0;
    for (int r = 0; r < LENGTHS.length; r++) {
      int n = LENGTHS[r];
      double ce = (-logSoftmax(STUDENT_START[r], n, 1)[(int) START_POS[r]]
          - logSoftmax(STUDENT_END[r], n, 1)[(int) END_POS[r]]) / 2;
      double kl = t * t * (kl(TEACHER_START[r], STUDENT_START[r], n, t) + kl(TEACHER_END[r], STUDENT_END[r], n, t)) / 2;
      distill += kl;
      squad += ce;
      total += alphaCe * kl + alphaSquad * ce;
    }
    return new double[] {total, distill, squad};
  }

  private static double kl(float[] teacher, float[] student, int n, double t) {
    double[] pt = softmax(teacher, n, t);
    double[] lt = logSoftmax(teacher, n, t);
    double[] ls = logSoftmax(student, n, t);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += pt[i] * (lt[i] - ls[i]);
    }
    return sum;
  }

  private static double[] logSoftmax(float[] logits, int n, double t) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, logits[i] / t);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(logits[i] / t - max);
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = logits[i] / t - max - Math.log(sum);
    }
    return out;
  }

  private static double[] softmax(float[] logits, int n, double t) {
    double[] log = logSoftmax(logits, n, t);
    for (int i = 0; i < n; i++) {
      log[i] = Math.exp(log[i]);
    }
    return log;
  }

  private static DistillLoss.Sums sums(NDManager m, DistillLoss loss, boolean withTeacher, float padValue) {
    NDArray teacherStart = withTeacher ? m.create(padded(TEACHER_START, padValue), new Shape(3, WIDTH)) : null;
    NDArray teacherEnd = withTeacher ? m.create(padded(TEACHER_END, -padValue), new Shape(3, WIDTH)) : null;
    return loss.sums(m.create(padded(STUDENT_START, padValue), new Shape(3, WIDTH)),
        m.create(padded(STUDENT_END, padValue), new Shape(3, WIDTH)), mask(m),
        m.create(START_POS), m.create(END_POS), teacherStart, teacherEnd);
  }

  private static NDArray mask(NDManager m) {
    float[] mask = new float[LENGTHS.length * WIDTH];
    for (int r = 0; r < LENGTHS.length; r++) {
      for (int i = 0; i < LENGTHS[r]; i++) {
        mask[r * WIDTH + i] = 1;
      }
    }
    return m.create(mask, new Shape(LENGTHS.length, WIDTH));
  }

  private static float[] flat(float[][] rows) {
    return padded(rows, 0f);
  }

  /** The rows with every padding position set to {@code padValue}. */
  private static float[] padded(float[][] rows, float padValue) {
    float[] out = new float[rows.length * WIDTH];
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < WIDTH; i++) {
        out[r * WIDTH + i] = i < LENGTHS[r] ? rows[r][i] : padValue;
      }
    }
    return out;
  }
}
