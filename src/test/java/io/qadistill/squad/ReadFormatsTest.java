package io.qadistill.squad;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TableDigest;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dev-v1.1 and dev-v2.0 as Hugging Face datasets keeps them (flat rows: id, title, context, question, answers of
 * text and answer_start lists, no is_impossible), written by Spark from the JSON as Parquet, as JSON Lines (plain
 * and gzip-compressed) and as a catalog table with other column names: each reads into the same examples table as
 * the JSON itself (same rows, compared by an order-independent digest), and featurizes into the same features.
 */
class ReadFormatsTest {
  private static final SparkSession SPARK = LocalSpark.get();

  @TempDir static Path tmp;
  private static ReadResult v11Json;
  private static ReadResult v20Json;

  @BeforeAll
  static void readTheJson() {
    v11Json = read(ReadInput.of(List.of(TestData.devV11().toString())), "v11-json");
    v20Json = read(ReadInput.of(List.of(TestData.devV20().toString())), "v20-json");
    assertThat(v11Json.kept()).isEqualTo(10_570);
    assertThat(v20Json.kept()).isEqualTo(11_873);
  }

  @Test
  void parquetInTheDatasetsLayoutReadsAsTheJson() {
    for (ReadResult json : List.of(v11Json, v20Json)) {
      Path parquet = tmp.resolve(name(json) + ".parquet"); // a directory of part files, named so
      datasetsLayout(json).repartition(3).write().parquet(parquet.toString());

      ReadResult result = read(ReadInput.of(List.of(parquet.toString())), name(json) + "-from-parquet");
      assertThat(result.files()).isEqualTo(3);
      assertSameExamples(result, json);
    }
  }

  @Test
  void jsonLinesInTheDatasetsLayoutReadAsTheJsonPlainAndCompressed() {
    Path plain = tmp.resolve("v11-jsonl");
    datasetsLayout(v11Json).write().json(plain.toString());
    assertSameExamples(read(new ReadInput(List.of(plain.toString()), InputFormat.JSONL, null), "v11-from-jsonl"),
        v11Json);

    Path gzip = tmp.resolve("v20-jsonl-gz");
    datasetsLayout(v20Json).repartition(2).write().option("compression", "gzip").json(gzip.toString());
    ReadResult result = read(new ReadInput(List.of(gzip + "/*.json.gz"), InputFormat.JSONL, null), "v20-from-gz");
    assertThat(result.files()).isEqualTo(2);
    assertSameExamples(result, v20Json);
  }

  /** A table of the session's (in-memory, Hive-style) catalog in a database of its own, dropped afterwards. */
  @Test
  void aCatalogTableWithOtherColumnNamesReadsThroughAMapping() {
    assertThat(SPARK.conf().get("spark.sql.catalogImplementation")).isEqualTo("in-memory");
    SPARK.sql("CREATE DATABASE qa_read_test LOCATION '" + tmp.resolve("warehouse").toUri() + "'");
    try {
      // dev-v2.0 with its is_impossible flag (from Spark's JSON reader), under in-house names
      SquadJson.examples(SPARK, TestData.devV20()).select(col("id").as("qid"), col("title").as("article"),
              col("context").as("passage"),
              col("question").as("query"), col("answers").as("gold"), col("is_impossible").as("unanswerable"))
          .write().saveAsTable("qa_read_test.squad_v2");
      ColumnMapping mapping = new ColumnMapping(Map.of("id", "qid", "title", "article", "context", "passage",
          "question", "query", "answers", "gold", "is_impossible", "unanswerable"));

      ReadResult result = read(new ReadInput(List.of("qa_read_test.squad_v2"), InputFormat.TABLE, mapping),
          "v20-from-table");
      assertThat(result.files()).isPositive();
      assertThat(result.impossible()).isEqualTo(5_945);
      assertSameExamples(result, v20Json);
    } finally {
      SPARK.sql("DROP DATABASE IF EXISTS qa_read_test CASCADE");
    }
  }

  @Test
  void devV11FeaturizesAlikeFromEachFormat() {
    assertSameFeaturesFromEachFormat(v11Json);
  }

  /** Minutes on 2 busy cores; runs with -Pslow. */
  @Test
  @Tag("slow")
  void devV20FeaturizesAlikeFromEachFormat() {
    assertSameFeaturesFromEachFormat(v20Json);
  }

  /** Featurize of the JSON's examples against featurize of the Parquet's and of the JSON Lines' examples. */
  private static void assertSameFeaturesFromEachFormat(ReadResult json) {
    String name = name(json) + "-features";
    Path parquet = tmp.resolve(name + ".parquet");
    Path jsonl = tmp.resolve(name + ".jsonl");
    datasetsLayout(json).write().parquet(parquet.toString());
    datasetsLayout(json).write().json(jsonl.toString());
    TableDigest expected = TableDigest.of(featurize(json, name + "-json"));
    assertThat(expected.rows()).as("windows").isGreaterThan(json.kept());
    for (Path input : List.of(parquet, jsonl)) {
      ReadResult flat = read(ReadInput.of(List.of(input.toString())), input.getFileName() + "-examples");
      assertThat(TableDigest.of(featurize(flat, input.getFileName() + "-out"))).as("features from %s", input)
          .isEqualTo(expected);
    }
  }

  private static void assertSameExamples(ReadResult result, ReadResult json) {
    assertThat(result.read()).isEqualTo(json.read());
    assertThat(result.kept()).isEqualTo(json.kept());
    assertThat(result.quarantined()).isZero();
    assertThat(result.impossible()).isEqualTo(json.impossible());
    assertThat(examples(result).schema()).isEqualTo(examples(json).schema());
    assertThat(TableDigest.of(examples(result))).isEqualTo(TableDigest.of(examples(json)));
  }

  /** The examples as Hugging Face datasets' squad / squad_v2 hold them: no is_impossible. */
  private static Dataset<Row> datasetsLayout(ReadResult json) {
    // from the JSON by Spark's own reader, not by the code under test
    Path file = json == v11Json ? TestData.devV11() : TestData.devV20();
    return SquadJson.examples(SPARK, file).drop("is_impossible");
  }

  private static Dataset<Row> examples(ReadResult result) {
    return SPARK.read().parquet(result.examples());
  }

  private static Dataset<Row> featurize(ReadResult examples, String out) {
    new FeaturizeJob(FeaturizeConfig.defaults(examples.examples(), tmp.resolve(out).toString(),
        tmp.resolve(out + "-quarantine").toString())).run(SPARK);
    return SPARK.read().parquet(tmp.resolve(out).toString());
  }

  private static ReadResult read(ReadInput input, String out) {
    return new ReadJob(ReadConfig.of(input, tmp.resolve(out).toString())).run(SPARK);
  }

  private static String name(ReadResult json) {
    return json == v11Json ? "v11" : "v20";
  }
}
