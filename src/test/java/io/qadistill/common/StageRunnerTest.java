package io.qadistill.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRunnerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Config(String input, String out, int rows, boolean failHalfWay) {}

  /** Writes {@code rows} numbers as a table, optionally dying after a first part file. */
  record Numbers(Config config) implements Stage<Long> {
    @Override
    public String name() {
      return "numbers";
    }

    @Override
    public List<String> inputs() {
      return List.of(config.input());
    }

    @Override
    public List<String> outputs() {
      return List.of(config.out());
    }

    @Override
    public Long execute(SparkSession spark, StageRun run) {
      assertThat(spark.sparkContext().getLocalProperty("spark.jobGroup.id")).isEqualTo("numbers");
      run.describe("numbers: write " + config.rows());
      spark.range(config.rows()).write().parquet(run.staging(config.out()) + "/part");
      if (config.failHalfWay()) {
        throw new IllegalStateException("died half-way");
      }
      spark.range(config.rows()).write().parquet(run.staging(config.out()) + "/part2");
      return 2L * config.rows();
    }
  }

  @TempDir Path dir;
  private final SparkSession spark = LocalSpark.get();

  @Test
  void publishesTheOutputWithItsProvenanceAndRestoresTheCallersJobGroup() throws Exception {
    Path input = Files.writeString(dir.resolve("in.json"), "{}");
    Path out = dir.resolve("numbers");
    spark.sparkContext().setJobGroup("caller", "the caller's jobs", false);
    try {
      long rows = StageRunner.run(spark, new Numbers(new Config(input.toString(), out.toString(), 5, false)));
      assertThat(rows).isEqualTo(10);
      assertThat(spark.sparkContext().getLocalProperty("spark.jobGroup.id")).isEqualTo("caller");
      assertThat(spark.sparkContext().getLocalProperty("spark.job.description")).isEqualTo("the caller's jobs");
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    assertThat(spark.read().parquet(out + "/part").count()).isEqualTo(5);
    JsonNode provenance = JSON.readTree(out.resolve(Provenance.FILE_NAME).toFile());
    assertThat(provenance.get("job").asText()).isEqualTo("numbers");
    assertThat(provenance.get("config").get("rows").asInt()).isEqualTo(5);
    assertThat(provenance.get("inputs").get(0).get("path").asText()).isEqualTo(input.toString());
    assertThat(provenance.get("inputs").get(0).get("fingerprint").asText()).startsWith("files:")
        .isEqualTo(InputFingerprint.of(input.toString(), spark.sparkContext().hadoopConfiguration()));
    // read from the classpath: the pom's version (resource filtering) and DJL's own
    assertThat(provenance.get("versions").get("qadistill").asText()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(provenance.get("versions").get("djl").asText()).isEqualTo("0.35.1");
    assertThat(provenance.get("versions").get("spark").asText()).isEqualTo("4.1.3");
    assertThat(siblings()).as("no staging directory left").containsExactlyInAnyOrder("in.json", "numbers");
  }

  @Test
  void aStageThatDiesHalfWayLeavesThePreviousOutputAndNoPartialOne() throws Exception {
    Path input = Files.writeString(dir.resolve("in.json"), "{}");
    Path out = dir.resolve("numbers");
    StageRunner.run(spark, new Numbers(new Config(input.toString(), out.toString(), 3, false)));

    assertThatThrownBy(() -> StageRunner.run(spark,
        new Numbers(new Config(input.toString(), out.toString(), 7, true)))).hasMessage("died half-way");
    assertThat(spark.read().parquet(out + "/part").count()).as("the previous output, whole").isEqualTo(3);
    assertThat(spark.read().parquet(out + "/part2").count()).isEqualTo(3);
    assertThat(JSON.readTree(out.resolve(Provenance.FILE_NAME).toFile()).get("config").get("rows").asInt())
        .isEqualTo(3);
    assertThat(siblings()).as("the staged part removed").containsExactlyInAnyOrder("in.json", "numbers");
    assertThat(spark.sparkContext().getLocalProperty("spark.jobGroup.id")).as("restored after the failure").isNull();
  }

  private List<String> siblings() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList();
    }
  }
}
