package io.qadistill.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.LocalSpark;
import org.junit.jupiter.api.Test;

class ProgressLogTest {
  @Test
  void lineShowsCountRateAndEta() {
    assertThat(ProgressLog.format("featurize", "examples", 250, 1000, 10.0))
        .isEqualTo("featurize: 250/1000 (25.0%) examples, 25.0 examples/s, ETA 30s");
  }

  @Test
  void unknownTotalHasNoEta() {
    assertThat(ProgressLog.format("read", "records", 7, 0, 2.0)).isEqualTo("read: 7 records, 3.5 records/s");
  }

  @Test
  void longEtasReadAsHoursAndMinutes() {
    assertThat(ProgressLog.human(3 * 3600 + 7 * 60 + 5)).isEqualTo("3h07m");
    assertThat(ProgressLog.human(125)).isEqualTo("2m05s");
  }

  @Test
  void accumulatorDrivenProgressCountsSparkRows() {
    var spark = LocalSpark.get();
    var acc = spark.sparkContext().longAccumulator("rows");
    try (ProgressLog log = ProgressLog.start("count", "rows", 100, acc::value, java.time.Duration.ofHours(1))) {
      spark.range(100).foreach((org.apache.spark.api.java.function.ForeachFunction<Long>) r -> acc.add(1));
      assertThat(log.line()).startsWith("count: 100/100 (100.0%) rows");
    }
  }

  @Test
  void theIntervalPropertyOverridesAJobsUsualInterval() {
    java.time.Duration usual = java.time.Duration.ofSeconds(10);
    assertThat(ProgressLog.interval(usual)).isEqualTo(usual);
    System.setProperty("qadistill.progress.seconds", "0.5");
    try {
      assertThat(ProgressLog.interval(usual)).isEqualTo(java.time.Duration.ofMillis(500));
    } finally {
      System.clearProperty("qadistill.progress.seconds");
    }
  }
}
