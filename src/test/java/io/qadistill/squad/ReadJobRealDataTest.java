package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read job on the real SQuAD files: exact counts that the official data sets are known to have. */
class ReadJobRealDataTest {
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  private ReadResult read(List<String> inputs) {
    return new ReadJob(ReadConfig.of(inputs, tmp.resolve("examples").toString())).run(spark);
  }

  @Test
  void devV11KeepsEveryQuestion() {
    ReadResult result = read(List.of(TestData.devV11().toString()));

    // The official dev set is clean: checked with Python, every answer_start points at its text exactly.
    assertThat(result.files()).isEqualTo(1);
    assertThat(result.read()).isEqualTo(10_570);
    assertThat(result.kept()).isEqualTo(10_570);
    assertThat(result.quarantined()).isZero();
    assertThat(result.answerStartCorrections()).isZero();
    assertThat(result.impossible()).isZero();
    assertThat(result.malformedFiles()).isEmpty();

    Dataset<Row> examples = spark.read().parquet(result.examples());
    assertThat(examples.columns()).containsExactly("id", "title", "context", "question", "answers", "is_impossible");
    assertThat(examples.schema().apply("answers").dataType().simpleString())
        .isEqualTo("struct<text:array<string>,answer_start:array<int>>");
    assertThat(examples.count()).isEqualTo(10_570);
    Row first = examples.filter("id = '56be4db0acb8001400a502ec'").first();
    assertThat(first.<String>getAs("title")).isEqualTo("Super_Bowl_50");
    assertThat(first.<String>getAs("question")).isEqualTo("Which NFL team represented the AFC at Super Bowl 50?");
    Row answers = first.getAs("answers");
    assertThat(answers.<String>getList(0)).containsExactly("Denver Broncos", "Denver Broncos", "Denver Broncos");
    assertThat(answers.<Integer>getList(1)).containsExactly(177, 177, 177);
    assertThat(spark.read().parquet(result.quarantine()).count()).isZero();
    assertThat(Path.of(java.net.URI.create(result.examples())).resolve("_provenance.json")).exists();
    assertThat(Path.of(java.net.URI.create(result.quarantine())).resolve("_provenance.json")).exists();
  }

  @Test
  void devV20KeepsImpossibleQuestions() {
    ReadResult result = read(List.of(TestData.devV20().toString()));

    assertThat(result.kept()).isEqualTo(11_873);
    assertThat(result.impossible()).isEqualTo(5_945);
    assertThat(result.quarantined()).isZero();
    Dataset<Row> examples = spark.read().parquet(result.examples());
    assertThat(examples.filter("is_impossible AND size(answers.text) = 0").count()).isEqualTo(5_945);
    assertThat(examples.filter("NOT is_impossible AND size(answers.text) > 0").count()).isEqualTo(11_873 - 5_945);
  }

  @Test
  void directoryInputFindsJsonFilesBelowItAndQuarantinesIdsSharedAcrossThem() throws IOException {
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir.resolve("v2"));
    Files.createDirectories(dir.resolve("_skipped"));
    Files.copy(TestData.devV11(), dir.resolve("dev-v1.1.json"));
    Files.copy(TestData.devV20(), dir.resolve("v2/dev-v2.0.json"));
    Files.copy(TestData.devV11(), dir.resolve(".hidden.json"));
    Files.copy(TestData.devV11(), dir.resolve("_skipped/dev-v1.1.json"));
    Files.writeString(dir.resolve("notes.txt"), "not SQuAD");

    // dev-v2.0 reuses 5,928 ids of dev-v1.1 (checked with Python); dev-v1.1.json sorts first, so its records win.
    ReadResult result = read(List.of(dir.toString()));
    assertThat(result.files()).isEqualTo(2);
    assertThat(result.read()).isEqualTo(10_570 + 11_873);
    assertThat(result.quarantinedByReason()).isEqualTo(Map.of("duplicate_id", 5_928L));
    assertThat(result.kept()).isEqualTo(10_570 + 11_873 - 5_928);

    Row duplicate = spark.read().parquet(result.quarantine()).first();
    assertThat(duplicate.<String>getAs("file")).endsWith("/v2/dev-v2.0.json");
    assertThat(duplicate.<String>getAs("detail")).startsWith("duplicate of the record at ").contains("/dev-v1.1.json");
  }

  @Test
  void globInputMatchesOnlyTheFilesItNames() {
    // the bundled files, gzip-compressed: the glob and the decompression by name at once
    ReadResult viaGlob = read(List.of(TestData.squadDir() + "/dev-v{1.1,2.0.reconstructed}.json.gz"));
    assertThat(viaGlob.files()).isEqualTo(2);
    assertThat(viaGlob.read()).isEqualTo(10_570 + 11_873);
    assertThat(viaGlob.kept()).isEqualTo(10_570 + 11_873 - 5_928);
  }

  @Test
  void compressedInputIsDecompressedByItsName() throws IOException {
    Path gz = tmp.resolve("dev-v1.1.json.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(TestData.devV11(), out);
    }
    ReadResult result = read(List.of(gz.toString()));
    assertThat(result.kept()).isEqualTo(10_570);
    assertThat(result.quarantined()).isZero();
  }

  /** About a minute on 2 busy cores; runs with -Pslow (before a release, or after changing the parser). */
  @Test
  @Tag("slow")
  void trainV11KeepsEveryQuestion() {
    ReadResult result = read(List.of(TestData.trainV11().toString()));
    assertThat(result.kept()).isEqualTo(87_599);
    assertThat(result.quarantined()).isZero();
    assertThat(result.answerStartCorrections()).isZero();
    assertThat(spark.read().parquet(result.examples()).count()).isEqualTo(87_599);
  }
}
