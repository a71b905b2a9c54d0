package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Symmetric per-channel quantization on hand-made weights. */
class Int8MatrixTest {
  @Test
  void eachOutputChannelGetsItsOwnScaleAndTheLayoutTurnsToInOut() {
    // PyTorch layout [out 3, in 2]: channel 0 spans ±1.27, channel 1 ±0.0127, channel 2 is all zero
    float[] weight = {1.27f, -0.635f, 0.0127f, -0.0127f, 0f, 0f};
    Int8Matrix q = Int8Matrix.quantize(weight, 3, 2);
    assertThat(q.scales()[0]).isCloseTo(0.01f, within(1e-7f));
    assertThat(q.scales()[1]).isCloseTo(0.0001f, within(1e-9f));
    assertThat(q.scales()[2]).as("an all-zero channel's scale").isEqualTo(1f);
    // ONNX layout [in 2, out 3]: row 0 holds input 0 of each channel; -63.5 rounds to the even -64
    assertThat(q.values()).containsExactly(127, 127, 0, -64, -127, 0);
  }

  @Test
  void roundingErrorIsAtMostHalfAStepAndNothingClipsOutsideTheSymmetricRange() {
    float[] weight = new float[64 * 48];
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (float) (random.nextGaussian() * (1 + i % 7));
    }
    Int8Matrix q = Int8Matrix.quantize(weight, 64, 48);
    for (int o = 0; o < 64; o++) {
      for (int i = 0; i < 48; i++) {
        byte v = q.values()[i * 64 + o];
        assertThat((int) v).isBetween(-127, 127);
        assertThat((double) v * q.scales()[o]).isCloseTo(weight[o * 48 + i], within(q.scales()[o] / 2 + 1e-6));
      }
    }
  }
}
