package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturizeJobTest {
  @TempDir static Path tmp;
  static SparkSession spark;
  static FeaturizeJob.Result dev;
  static String devExamples;

  @BeforeAll
  static void featurizeDev() {
    spark = LocalSpark.get();
    devExamples = tmp.resolve("dev-examples").toString();
    SquadJson.examples(spark, TestData.devV11()).write().parquet(devExamples);
    dev = FeaturizeJob.run(spark, FeaturizeConfig.defaults(devExamples, tmp.resolve("dev-features").toString(),
        tmp.resolve("dev-quarantine").toString()));
  }

  @Test
  void devV11GivesTheOfficialWindowCount() {
    assertThat(dev.examples()).isEqualTo(10_570);
    assertThat(dev.featurized()).isEqualTo(10_570);
    assertThat(dev.windows()).isEqualTo(10_784);
    assertThat(spark.read().parquet(dev.features()).count()).isEqualTo(10_784);
    assertThat(dev.quarantinedByReason()).isEmpty();
    assertThat(spark.read().parquet(dev.quarantine()).count()).isZero();
    assertThat(dev.windowsPerExampleMean()).isEqualTo(10_784 / 10_570.0);
    assertThat(dev.windowsPerExampleMax()).isGreaterThan(1);
  }

  @Test
  void partitionsAreWholeWavesOfAboutFourThousandRowsAndAtLeastTwoPerCore() {
    assertThat(FeaturizeJob.partitions(87_599, 2)).isEqualTo(22);
    assertThat(FeaturizeJob.partitions(10_570, 2)).isEqualTo(4);
    assertThat(FeaturizeJob.partitions(0, 3)).isEqualTo(6);
    assertThat(FeaturizeJob.partitions(1_000_000_000L, 16)).isEqualTo(10_000);
    assertThat(spark.read().parquet(dev.features()).inputFiles()).hasSize(4);
  }

  @Test
  void theTwoLevelListLayoutIsSetForTheFeaturesWriteOnly() {
    // featurize ran in @BeforeAll; the shared session must be left as it was (Spark's default: three levels).
    assertThat(spark.conf().get("spark.sql.parquet.writeLegacyFormat")).isEqualTo("false");
  }

  @Test
  void everyLabelIsTheShortestSpanHoldingTheAnswerAndTheRestPointAtCls() {
    Map<String, Row> examples = new HashMap<>();
    for (Row r : spark.read().parquet(devExamples).collectAsList()) {
      examples.put(r.getAs("id"), r);
    }
    int labelled = 0;
    int cls = 0;
    for (Row f : spark.read().parquet(dev.features()).collectAsList()) {
      Row ex = examples.get(f.<String>getAs("example_id"));
      String context = ex.getAs("context");
      Row answers = ex.getAs("answers");
      String text = answers.<String>getList(0).get(0);
      int aStart = answers.<Integer>getList(1).get(0);
      int aEnd = aStart + text.codePointCount(0, text.length());
      List<List<Integer>> offsets = offsets(f);
      int s = f.getAs("start_positions");
      int e = f.getAs("end_positions");
      int firstCtx = -1;
      int lastCtx = -1;
      for (int i = 0; i < offsets.size(); i++) {
        if (offsets.get(i) != null) {
          lastCtx = i;
          firstCtx = firstCtx < 0 ? i : firstCtx;
        }
      }
      boolean inside = offsets.get(firstCtx).get(0) <= aStart && offsets.get(lastCtx).get(1) >= aEnd;
      if (!inside) {
        assertThat(s).as("window %s/%s without its answer", ex.getAs("id"), f.getAs("window")).isZero();
        assertThat(e).isZero();
        cls++;
        continue;
      }
      labelled++;
      assertThat(s).isBetween(firstCtx, lastCtx);
      assertThat(e).isBetween(s, lastCtx);
      int from = offsets.get(s).get(0);
      int to = offsets.get(e).get(1);
      assertThat(from).isLessThanOrEqualTo(aStart);
      assertThat(to).isGreaterThanOrEqualTo(aEnd);
      assertThat(cut(context, from, to)).contains(text);
      // No shorter span: dropping the first or the last token loses part of the answer.
      if (e > s) {
        assertThat(offsets.get(s + 1).get(0) <= aStart).isFalse();
        assertThat(offsets.get(e - 1).get(1) >= aEnd).isFalse();
      }
    }
    assertThat(labelled + cls).isEqualTo(10_784);
    assertThat(labelled).isGreaterThan(10_500);
  }

  @Test
  void v20ImpossibleQuestionsPointAtClsInEveryWindow() {
    String ex = tmp.resolve("v2-examples").toString();
    SquadJson.examples(spark, TestData.devV20()).write().parquet(ex);
    FeaturizeJob.Result r = FeaturizeJob.run(spark, FeaturizeConfig.defaults(ex, tmp.resolve("v2-features").toString(),
        tmp.resolve("v2-quarantine").toString()));
    assertThat(r.examples()).isEqualTo(11_873);
    spark.read().parquet(r.features()).createOrReplaceTempView("v2f");
    spark.read().parquet(ex).createOrReplaceTempView("v2e");
    long impossibleWindows = spark.sql("SELECT count(*) FROM v2f JOIN v2e ON v2f.example_id = v2e.id "
        + "WHERE v2e.is_impossible").first().getLong(0);
    long impossibleLabelled = spark.sql("SELECT count(*) FROM v2f JOIN v2e ON v2f.example_id = v2e.id "
        + "WHERE v2e.is_impossible AND (start_positions <> 0 OR end_positions <> 0)").first().getLong(0);
    assertThat(impossibleWindows).isGreaterThanOrEqualTo(5_945);
    assertThat(impossibleLabelled).isZero();
  }

  @Test
  void questionsTooLongForTheWindowAreQuarantinedAndUnicodeOffsetsAreCodePoints() throws Exception {
    String longQuestion = "why ".repeat(1000);
    String emoji = "Fans 😀😀 cheered when Zürich won 한국어 中文 in 1990.";
    String json = """
        {"version": "1.1", "data": [{"title": "t", "paragraphs": [
          {"context": "CTX1", "qas": [
            {"id": "emoji", "question": "When did Zürich win?", "answers": [{"text": "1990", "answer_start": 42}]},
            {"id": "long", "question": "QLONG", "answers": [{"text": "1990", "answer_start": 46}]}]},
          {"context": "CTX2", "qas": [
            {"id": "stride", "question": "QMID", "answers": [{"text": "b", "answer_start": 0}]}]}]}]}
        """.replace("CTX1", emoji).replace("QLONG", longQuestion)
        .replace("CTX2", "b ".repeat(400)).replace("QMID", "what ".repeat(300));
    // answer_start counts code points, as Python does: the two emoji are four UTF-16 units.
    assertThat(emoji.codePointCount(0, emoji.indexOf("1990"))).isEqualTo(42);
    assertThat(emoji.indexOf("1990")).isEqualTo(44);
    Path file = tmp.resolve("cases.json");
    java.nio.file.Files.writeString(file, json);
    String ex = tmp.resolve("cases-examples").toString();
    SquadJson.examples(spark, file).write().parquet(ex);
    FeaturizeJob.Result r = FeaturizeJob.run(spark, FeaturizeConfig.defaults(ex, tmp.resolve("cases-f").toString(),
        tmp.resolve("cases-q").toString()));

    assertThat(r.examples()).isEqualTo(3);
    assertThat(r.featurized()).isEqualTo(1);
    assertThat(r.quarantinedByReason()).containsEntry("question_too_long", 2L);
    assertThat(r.featurized() + r.quarantinedByReason().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(r.examples());
    List<Row> quarantined = spark.read().parquet(r.quarantine()).orderBy("id").collectAsList();
    assertThat(quarantined).extracting(q -> q.<String>getAs("id")).containsExactly("long", "stride");
    assertThat(quarantined.get(0).<String>getAs("detail")).contains("1000 tokens", "no room is left");
    assertThat(quarantined.get(1).<String>getAs("detail")).contains("doc_stride 128");
    assertThat(quarantined.get(1).<String>getAs("raw")).contains("\"id\":\"stride\"");

    Row w = spark.read().parquet(r.features()).first();
    List<List<Integer>> offsets = offsets(w);
    int s = w.getAs("start_positions");
    int e = w.getAs("end_positions");
    assertThat(cut(emoji, offsets.get(s).get(0), offsets.get(e).get(1))).isEqualTo("1990");
  }

  @Test
  void strideThatCanNeverFitIsRefusedAtStart() {
    assertThatThrownBy(() -> new FeaturizeConfig("e", "o", "q", null, 384, 380))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("doc_stride 380 can never fit max_length 384")
        .hasMessageContaining("--doc-stride");
  }

  /** offset_mapping as Java lists (Spark hands nested arrays over as Scala sequences). */
  static List<List<Integer>> offsets(Row feature) {
    List<scala.collection.Seq<Integer>> raw = feature.getList(feature.fieldIndex("offset_mapping"));
    return raw.stream().map(o -> o == null ? null : scala.jdk.javaapi.CollectionConverters.asJava(o)).toList();
  }

  static String cut(String context, int fromCodePoint, int toCodePoint) {
    return context.substring(context.offsetByCodePoints(0, fromCodePoint), context.offsetByCodePoints(0, toCodePoint));
  }
}
