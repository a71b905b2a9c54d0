package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedFloatsTest {
  @Test
  void zeroRunsOfEightOrMoreAreLeftOut() {
    // runs (zeros, count): (2, [1.5]), (9, [-2, 0, 3]); the trailing two zeros are a run of their own: (2, [])
    float[] values = {0, 0, 1.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2, 0, 3, 0, 0};
    assertThat(PackedFloats.of(values).bytes()).isEqualTo(4 + 3 * 8 + 4 * 4);
    assertThat(PackedFloats.of(new float[0]).unpack()).isEmpty();
    assertThat(PackedFloats.of(new float[] {0, 0, 0}).unpack()).containsExactly(0, 0, 0);
  }

  @Test
  void sparseGradientsComeBackExactlyAndAddIntoAnArray() {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      float[] values = new float[1 + random.nextInt(5000)];
      for (int i = 0; i < values.length; ) {
        int run = 1 + random.nextInt(20);
        boolean zeros = random.nextBoolean();
        for (int j = i; j < Math.min(values.length, i + run); j++) {
          values[j] = zeros ? 0f : random.nextFloat() - 0.5f;
        }
        i += run;
      }
      float[] base = new float[values.length];
      float[] expected = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        base[i] = random.nextFloat();
        expected[i] = base[i] + values[i];
      }
      PackedFloats packed = PackedFloats.of(values);
      assertThat(packed.unpack()).containsExactly(values);
      packed.addInto(base);
      assertThat(base).containsExactly(expected);
    }
  }
}
