package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * What travels between driver and executors survives both of Spark's serializers (the cluster configuration uses
 * Kryo, the tests' session Java): a packed gradient sum, and a training row (which a cache spill writes).
 */
class SerializationTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"java", "kryo"})
  void packedGradientSumsComeBackWhole(String which) {
    float[] g = new float[100_000];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < g.length; i++) {
      // embedding-like: mostly zero rows, some dense stretches with isolated zeros and short zero runs
      boolean dense = (i / 1000) % 7 == 0 || i > 95_000;
      g[i] = dense && random.nextInt(10) != 0 ? (float) random.nextGaussian() : 0f;
    }
    g[3] = 0.5f;
    GradientSum sum = new GradientSum(g.clone(), 1.5, 0.5, 1.0, 4, 700, 0.2).packed();
    assertThat(sum.packedBytes()).as("far below the 400 KB of the dense array").isLessThan(120_000);
    GradientSum back = roundTrip(serializer(which), sum, GradientSum.class);
    assertThat(back.gradient()).containsExactly(g);
    assertThat(back.loss()).isEqualTo(1.5);
    assertThat(back.windows()).isEqualTo(4);
    assertThat(back.tokens()).isEqualTo(700);
    assertThat(back.computeSeconds()).isEqualTo(0.2);

    float[] zeros = new float[50];
    assertThat(new GradientSum(zeros, 0, 0, 0, 1, 1, 0).packed().gradient()).containsExactly(zeros);
    GradientSum empty = roundTrip(serializer(which), new GradientSum().packed(), GradientSum.class);
    assertThat(empty.gradient()).isNull();
    GradientSum adopted = new GradientSum().add(new GradientSum(g.clone(), 1, 0, 1, 1, 1, 0).packed());
    assertThat(adopted.packedBytes()).as("an empty sum keeps the packed form").isEqualTo(sum.packedBytes());
    assertThat(empty.add(back).gradient()).containsExactly(g);
    float[] twice = new float[g.length];
    for (int i = 0; i < g.length; i++) {
      twice[i] = g[i] + g[i];
    }
    assertThat(adopted.add(new GradientSum(g.clone(), 1, 0, 1, 1, 1, 0).packed()).gradient()).containsExactly(twice);
    assertThat(adopted.bytes()).as("bytes sent by both partitions").isEqualTo(2 * sum.packedBytes());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"java", "kryo"})
  void checksumsAndLostPartitionsComeBackAndAddUp(String which) {
    GradientSum first = new GradientSum(null, 1, 0, 1, 2, 10, 0.1).withChecksum(0, -7);
    GradientSum second = roundTrip(serializer(which), new GradientSum(null, 2, 0, 2, 2, 10, 0.3)
        .withChecksum(2, 12), GradientSum.class);
    GradientSum lost = roundTrip(serializer(which), GradientSum.lost(1), GradientSum.class);
    GradientSum sum = new GradientSum().add(first).add(second).add(lost);
    assertThat(sum.checksums()).containsExactly(entry(0, -7), entry(2, 12));
    assertThat(sum.lost()).containsExactly(1);
    assertThat(sum.windows()).isEqualTo(4);
    assertThat(sum.computeSeconds()).isEqualTo(0.3);
    assertThat(new GradientSum().add(first).lost()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"java", "kryo"})
  void packedFloatsUnpackOverAnyArray(String which) {
    float[] values = {0, 0, 1.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2, 0, 3, 0, 0};
    PackedFloats packed = roundTrip(serializer(which), PackedFloats.of(values), PackedFloats.class);
    float[] dirty = new float[values.length];
    java.util.Arrays.fill(dirty, 9f);
    packed.unpackInto(dirty);
    assertThat(dirty).as("the zeros written too").containsExactly(values);
    assertThat(packed.length()).isEqualTo(values.length);
    assertThat(PackedFloats.of(new float[1000]).bytes()).as("zeros pack to one run").isEqualTo(12);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"java", "kryo"})
  void trainRowsComeBackWhole(String which) {
    TrainRow row = new TrainRow("q1", 2, new int[] {101, 7, 102}, new int[] {0, 0, 1}, 1, 2,
        new float[] {0.5f, 1f, -1f}, new float[] {2f, 0f, 3f});
    TrainRow back = roundTrip(serializer(which), row, TrainRow.class);
    assertThat(back.exampleId()).isEqualTo("q1");
    assertThat(back.window()).isEqualTo(2);
    assertThat(back.inputIds()).containsExactly(101, 7, 102);
    assertThat(back.tokenTypeIds()).containsExactly(0, 0, 1);
    assertThat(back.endPosition()).isEqualTo(2);
    assertThat(back.teacherEnd()).containsExactly(2f, 0f, 3f);
  }

  private static Serializer serializer(String which) {
    return which.equals("kryo") ? new KryoSerializer(new SparkConf()) : new JavaSerializer(new SparkConf());
  }

  private static <T> T roundTrip(Serializer serializer, T value, Class<T> type) {
    SerializerInstance s = serializer.newInstance();
    ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
    return s.deserialize(s.serialize(value, tag), tag);
  }
}
