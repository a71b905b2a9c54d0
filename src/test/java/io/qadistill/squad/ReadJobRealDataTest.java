package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
  void directoryInputFindsBothDevFilesAndQuarantinesIdsSharedAcrossThem() {
    // dev-v2.0 reuses 5,928 ids of dev-v1.1 (checked with Python); dev-v1.1 sorts first, so its records win.
    ReadResult viaDirectory = read(List.of(TestData.squadDir().toString()));
    assertThat(viaDirectory.files()).isEqualTo(3);
    assertThat(viaDirectory.read()).isEqualTo(10_570 + 11_873 + 87_599);
    assertThat(viaDirectory.quarantinedByReason()).isEqualTo(Map.of("duplicate_id", 5_928L));
    assertThat(viaDirectory.kept()).isEqualTo(viaDirectory.read() - 5_928);

    Row duplicate = spark.read().parquet(viaDirectory.quarantine()).first();
    assertThat(duplicate.<String>getAs("file")).endsWith("dev-v2.0.reconstructed.json");
    assertThat(duplicate.<String>getAs("detail")).startsWith("duplicate of the record at ").contains("dev-v1.1.json");
  }

  @Test
  void globInputMatchesOnlyTheDevFiles() {
    ReadResult viaGlob = read(List.of(TestData.squadDir() + "/dev-*.json"));
    assertThat(viaGlob.files()).isEqualTo(2);
    assertThat(viaGlob.read()).isEqualTo(10_570 + 11_873);
    assertThat(viaGlob.kept()).isEqualTo(10_570 + 11_873 - 5_928);
  }
}
