package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.common.Provenance;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageCacheTest {
  /** A stage configuration with the field types the real ones have (a long seed, a path, a null). */
  record Config(String name, Path out, String absent, long seed, double rate) {}

  @TempDir Path dir;
  private final SparkSession spark = LocalSpark.get();
  private final StageCache cache = new StageCache(spark.sparkContext().hadoopConfiguration());

  @Test
  void anOutputIsCurrentForItsOwnConfigurationOnlyAndUntilAnInputIsNewer() throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Path output = Files.createDirectories(dir.resolve("output"));
    Provenance.of(spark, "first", new Config("in", input, null, 1, 0.5), List.of()).writeInto(spark, input.toString());
    Config config = new Config("out", output, null, 42, 1e-4);
    assertThat(cache.isComplete(output.toString())).isFalse();
    Provenance.of(spark, "second", config, List.of(input.toString())).writeInto(spark, output.toString());

    assertThat(cache.isComplete(output.toString())).isTrue();
    assertThat(cache.isCurrent(output.toString(), config, List.of(input.toString()))).isTrue();
    assertThat(cache.isCurrent(output.toString(), new Config("out", output, null, 43, 1e-4), List.of())).isFalse();
    assertThat(cache.isCurrent(output.toString(), new Config("out", output, null, 42, 2e-4), List.of())).isFalse();

    Thread.sleep(5);
    Provenance.of(spark, "first", new Config("in", input, null, 1, 0.5), List.of()).writeInto(spark, input.toString());
    assertThat(cache.isCurrent(output.toString(), config, List.of(input.toString()))).as("after its input changed")
        .isFalse();
  }
}
