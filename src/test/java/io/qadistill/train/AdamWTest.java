package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AdamW, the schedule and clipping against torch's formulas written out here in doubles. */
class AdamWTest {
  private static final ParameterLayout LAYOUT = layout();

  private static ParameterLayout layout() {
    try (QaModel model = QaModel.initialize(ModelConfig.bert(5, 4, 1, 2, 6, 8, 2), new byte[0], 0)) {
      return new ParameterLayout(model);
    }
  }

  @Test
  void threeStepsAsTorchAdamW() {
    double lr = 0.01;
    double decay = 0.1;
    double eps = 1e-8;
    int n = LAYOUT.size();
    SplittableRandom random = new SplittableRandom(3);
    float[] params = new float[n];
    double[] p = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) random.nextDouble(-1, 1);
      p[i] = params[i];
    }
    AdamW adam = new AdamW(LAYOUT, decay, eps);
    for (int t = 1; t <= 3; t++) {
      float[] grad = new float[n];
      for (int i = 0; i < n; i++) {
        grad[i] = (float) random.nextDouble(-2, 2);
      }
      adam.step(params, grad, 1, lr);
      for (int k = 0; k < LAYOUT.count(); k++) {
        boolean decays = !(LAYOUT.name(k).endsWith("bias") || LAYOUT.name(k).endsWith("LayerNorm.weight"));
        for (int i = LAYOUT.offset(k); i < LAYOUT.offset(k) + LAYOUT.length(k); i++) {
          if (decays) {
            p[i] *= 1 - lr * decay;
          }
          m[i] = 0.9 * m[i] + 0.1 * grad[i];
          v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
          double mHat = m[i] / (1 - Math.pow(0.9, t));
          double denominator = Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + eps;
          p[i] -= lr * mHat / denominator;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      assertThat((double) params[i]).as("value %d", i).isCloseTo(p[i], within(1e-6));
    }
    assertThat(adam.steps()).isEqualTo(3);
  }

  @Test
  void weightDecayOnlyWhereTransformersAppliesIt() {
    assertThat(LAYOUT.decays(index("bert.encoder.layer.0.attention.self.query.weight"))).isTrue();
    assertThat(LAYOUT.decays(index("bert.embeddings.word_embeddings.weight"))).isTrue();
    assertThat(LAYOUT.decays(index("qa_outputs.bias"))).isFalse();
    assertThat(LAYOUT.decays(index("bert.embeddings.LayerNorm.weight"))).isFalse();
    // a zero gradient leaves only the decay: weights shrink by lr·decay, LayerNorm weights stay
    float[] params = new float[LAYOUT.size()];
    java.util.Arrays.fill(params, 1f);
    new AdamW(LAYOUT, 0.5, 1e-8).step(params, new float[LAYOUT.size()], 1, 0.1);
    assertThat(params[LAYOUT.offset(index("qa_outputs.weight"))]).isEqualTo(0.95f);
    assertThat(params[LAYOUT.offset(index("bert.embeddings.LayerNorm.weight"))]).isEqualTo(1f);
  }

  @Test
  void linearScheduleWithWarmupAsTransformers() {
    double[] expected = {0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0};
    for (int step = 0; step < expected.length; step++) {
      assertThat(AdamW.linearSchedule(step, 2, 6)).as("step %d", step).isCloseTo(expected[step], within(1e-12));
    }
    assertThat(AdamW.linearSchedule(0, 0, 4)).isEqualTo(1.0);
    assertThat(AdamW.linearSchedule(3, 0, 4)).isEqualTo(0.25);
  }

  @Test
  void clippingByGlobalNormAsTorch() {
    assertThat(AdamW.norm(new float[] {3, 4})).isCloseTo(5.0, within(1e-12));
    assertThat(AdamW.clipFactor(5.0, 1.0)).isCloseTo(1 / (5 + 1e-6), within(1e-12));
    assertThat(AdamW.clipFactor(0.5, 1.0)).isEqualTo(1.0);
    assertThat(AdamW.clipFactor(50, 0)).isEqualTo(1.0);
  }

  @Test
  void aGradientScaleIsTheScaledGradient() {
    float[] grad = new float[LAYOUT.size()];
    float[] scaled = new float[LAYOUT.size()];
    for (int i = 0; i < grad.length; i++) {
      grad[i] = (i % 7) - 3f;
      scaled[i] = grad[i] * 0.25f;
    }
    float[] a = new float[LAYOUT.size()];
    float[] b = new float[LAYOUT.size()];
    new AdamW(LAYOUT, 0.1, 1e-8).step(a, grad, 0.25, 0.01);
    new AdamW(LAYOUT, 0.1, 1e-8).step(b, scaled, 1, 0.01);
    assertThat(a).containsExactly(b);
  }

  private static int index(String name) {
    for (int i = 0; i < LAYOUT.count(); i++) {
      if (LAYOUT.name(i).equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  @Test
  void stateGoesRoundAndSummedStatesAverage() {
    int n = LAYOUT.size();
    SplittableRandom random = new SplittableRandom(5);
    float[] params = new float[n];
    float[] grad = new float[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) random.nextDouble(-1, 1);
      grad[i] = (float) random.nextDouble(-1, 1);
    }
    AdamW adam = new AdamW(LAYOUT, 0.01, 1e-8);
    adam.step(params, grad, 1, 0.01);
    float[] state = adam.state(params);
    float[] doubled = new float[state.length];
    for (int i = 0; i < state.length; i++) {
      doubled[i] = 2 * state[i]; // two equal partitions' states, summed
    }
    AdamW other = new AdamW(LAYOUT, 0.01, 1e-8);
    assertThat(other.restoreState(1, doubled, 2)).containsExactly(params);
    assertThat(other.steps()).isEqualTo(1);
    assertThat(other.firstMoments()).containsExactly(adam.firstMoments());
    assertThat(other.secondMoments()).containsExactly(adam.secondMoments());
    adam.step(params, grad, 1, 0.01);
    float[] again = other.restoreState(1, state, 1);
    other.step(again, grad, 1, 0.01);
    assertThat(again).as("the next step as the original's").containsExactly(params);
  }
}
