package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientSumTest {
  @Test
  void serializationLeavesOutZeroRunsAndGivesBackEveryValue() throws Exception {
    float[] g = new float[100_000];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < g.length; i++) {
      // embedding-like: mostly zero rows, some dense stretches, isolated zeros and short zero runs inside them
      boolean dense = (i / 1000) % 7 == 0 || i > 95_000;
      g[i] = dense && random.nextInt(10) != 0 ? (float) random.nextGaussian() : 0f;
    }
    g[g.length - 1] = 3f;
    GradientSum sum = new GradientSum(g.clone(), 1.5, 0.5, 1.0, 4, 700, 0.2);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    assertThat(bytes.size()).as("far below the 400 KB of the dense array").isLessThan(120_000);
    GradientSum back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (GradientSum) in.readObject();
    }
    assertThat(back.gradient()).containsExactly(g);
    assertThat(back.loss()).isEqualTo(1.5);
    assertThat(back.windows()).isEqualTo(4);
    assertThat(back.tokens()).isEqualTo(700);

    GradientSum empty = roundTrip(new GradientSum());
    assertThat(empty.gradient()).isNull();
    assertThat(empty.add(back).gradient()).containsExactly(g);
  }

  private static GradientSum roundTrip(GradientSum sum) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sum);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (GradientSum) in.readObject();
    }
  }
}
