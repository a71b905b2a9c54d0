package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.SquadWindows;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainDataTest {
  @TempDir Path dir;
  private final TrainFixture fixture = TrainFixture.shared();
  private final SparkSession spark = LocalSpark.get();

  @Test
  void sameInputsGiveEachPartitionTheSameRowsInTheSameOrder() {
    List<List<String>> first = keys(TrainData.prepare(spark, fixture.features(), fixture.logits(), null, 3));
    List<List<String>> second = keys(TrainData.prepare(spark, fixture.features(), fixture.logits(), null, 3));
    assertThat(second).isEqualTo(first);
    assertThat(first).hasSize(3).allSatisfy(p -> assertThat(p).isNotEmpty());
    assertThat(first.stream().mapToInt(List::size).sum()).isEqualTo(40);
    assertThat(first.get(0)).isSorted();
  }

  @Test
  void fineTuningReadsNoLogits() {
    TrainData data = TrainData.prepare(spark, fixture.features(), null, null, 1);
    try {
      assertThat(data.windows()).isEqualTo(40);
      assertThat(data.rows().first().teacherStart()).isNull();
    } finally {
      data.release();
    }
  }

  @Test
  void windowsWithoutLogitsAreLeftOutAndCounted() {
    String logits = dir.resolve("logits").toString();
    TrainFixture.writeLogits(spark, Path.of(fixture.teacher()), fixture.windows().subList(0, 30),
        logits + "/teacher=t/run=1");
    TrainData data = TrainData.prepare(spark, fixture.features(), logits, null, 2);
    try {
      assertThat(data.windows()).isEqualTo(30);
      assertThat(data.features()).isEqualTo(40);
      assertThat(data.rows().collect()).allSatisfy(r -> assertThat(r.logitsMatch()).isTrue());
    } finally {
      data.release();
    }
  }

  @Test
  void severalTeachersNeedAChoice() {
    String logits = dir.resolve("logits").toString();
    TrainFixture.writeLogits(spark, Path.of(fixture.teacher()), fixture.windows(), logits + "/teacher=aaa/run=1");
    TrainFixture.writeLogits(spark, Path.of(fixture.teacher()), fixture.windows().subList(0, 10),
        logits + "/teacher=bbb/run=1");
    assertThatThrownBy(() -> TrainData.prepare(spark, fixture.features(), logits, null, 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("several teachers").hasMessageContaining("aaa")
        .hasMessageContaining("bbb").hasMessageContaining("--teacher");
    TrainData data = TrainData.prepare(spark, fixture.features(), logits, "bbb", 1);
    try {
      assertThat(data.windows()).isEqualTo(10);
    } finally {
      data.release();
    }
  }

  @Test
  void logitsOfOtherFeaturesAreRefused() {
    List<SquadWindows.Window> shifted = fixture.windows().stream()
        .map(w -> new SquadWindows.Window(java.util.Arrays.copyOf(w.inputIds(), w.length() - 1),
            java.util.Arrays.copyOf(w.tokenTypeIds(), w.length() - 1), 0, 0))
        .toList();
    String logits = dir.resolve("logits").toString();
    TrainFixture.writeLogits(spark, Path.of(fixture.teacher()), shifted, logits + "/teacher=t/run=1");
    assertThatThrownBy(() -> TrainData.prepare(spark, fixture.features(), logits, null, 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("40 rows of the logits")
        .hasMessageContaining("one logit per token");
  }

  @Test
  void aMissingTableIsAUsageError() {
    assertThatThrownBy(() -> TrainData.prepare(spark, dir.resolve("nothing").toString(), null, null, 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("cannot read the features table")
        .hasMessageContaining("featurize");
  }

  private static List<List<String>> keys(TrainData data) {
    try {
      return data.rows().map(r -> r.exampleId() + "/" + r.window()).glom().collect();
    } finally {
      data.release();
    }
  }
}
