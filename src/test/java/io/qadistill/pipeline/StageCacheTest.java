package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final SparkSession spark = LocalSpark.get();
  private final StageCache cache = new StageCache(spark.sparkContext().hadoopConfiguration());

  @Test
  void anOutputIsCurrentForItsOwnConfigurationOnlyAndUntilAnUpstreamStageRunsAgain() throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Path output = Files.createDirectories(dir.resolve("output"));
    Provenance.of(spark, "first", new Config("in", input, null, 1, 0.5), List.of()).writeInto(spark, input.toString());
    Config config = new Config("out", output, null, 42, 1e-4);
    assertThat(cache.isComplete(output.toString())).isFalse();
    Provenance.of(spark, "second", config, List.of(input.toString())).writeInto(spark, output.toString());

    assertThat(cache.isComplete(output.toString())).isTrue();
    assertThat(cache.isCurrent(output.toString(), config)).isTrue();
    assertThat(cache.isCurrent(output.toString(), new Config("out", output, null, 43, 1e-4))).isFalse();
    assertThat(cache.isCurrent(output.toString(), new Config("out", output, null, 42, 2e-4))).isFalse();

    Thread.sleep(5); // a new createdAt, so a new provenance even for the same configuration
    Provenance.of(spark, "first", new Config("in", input, null, 1, 0.5), List.of()).writeInto(spark, input.toString());
    assertThat(cache.isCurrent(output.toString(), config)).as("after its input was made again").isFalse();
  }

  @Test
  void aChangedInputFileMakesTheOutputStale() throws Exception {
    Path squad = Files.writeString(dir.resolve("dev.json"), "{\"data\": []}");
    Path output = Files.createDirectories(dir.resolve("examples"));
    Config config = new Config("read", output, null, 0, 0);
    Provenance.of(spark, "read", config, List.of(squad.toString())).writeInto(spark, output.toString());
    assertThat(cache.isCurrent(output.toString(), config)).isTrue();

    Files.writeString(squad, "{\"data\": [], \"version\": \"1.1\"}");
    assertThat(cache.isCurrent(output.toString(), config)).as("after the SQuAD file changed").isFalse();
  }

  @Test
  void aConfigurationRecordedWhileStagingIsCurrentOncePublished() throws Exception {
    Path out = dir.resolve("model");
    Path staging = Files.createDirectories(dir.resolve(".model.staging"));
    Config config = new Config("import", out, null, 42, 0);
    // the output's own path is in the configuration, and does not exist yet when the provenance is written
    Provenance.of(spark, "import", config, List.of()).writeInto(spark, staging.toString());
    Files.move(staging, out);
    assertThat(cache.isCurrent(out.toString(), config)).isTrue();
  }

  @Test
  void aProvenanceOfTheOlderLayoutIsNotCurrent() throws Exception {
    Path output = Files.createDirectories(dir.resolve("old"));
    Config config = new Config("x", output, null, 0, 0);
    Path input = Files.writeString(dir.resolve("input.json"), "{}");
    Provenance.of(spark, "x", config, List.of(input.toString())).writeInto(spark, output.toString());
    assertThat(cache.isCurrent(output.toString(), config)).isTrue();
    // the first layout recorded inputs as bare paths
    Path file = output.resolve(Provenance.FILE_NAME);
    ObjectNode old = (ObjectNode) JSON.readTree(file.toFile());
    old.putArray("inputs").add(input.toString());
    JSON.writeValue(file.toFile(), old);
    Files.delete(output.resolve("." + Provenance.FILE_NAME + ".crc")); // Hadoop's checksum of the text replaced
    assertThat(cache.isComplete(output.toString())).isTrue();
    assertThat(cache.isCurrent(output.toString(), config)).isFalse();
  }
}
