package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.qadistill.common.UsageException;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
    dev = new FeaturizeJob(FeaturizeConfig.defaults(devExamples, tmp.resolve("dev-features").toString(),
        tmp.resolve("dev-quarantine").toString())).run(spark);
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
  void everyLabelIsTheShortestSpanHoldingTheAnswerAndTheRestPointAtCls() {
    Map<String, Row> examples = new HashMap<>();
    for (Row r : spark.read().parquet(devExamples).collectAsList()) {
      examples.put(r.getAs("id"), r);
    }
    int labelled = 0;
    int cls = 0;
    for (Row f : readAll(dev.features())) {
      Row ex = examples.get(f.<String>getAs(FeaturesTable.EXAMPLE_ID));
      String context = ex.getAs("context");
      Row answers = ex.getAs("answers");
      String text = answers.<String>getList(0).get(0);
      int aStart = answers.<Integer>getList(1).get(0);
      int aEnd = aStart + text.codePointCount(0, text.length());
      int[][] offsets = FeaturesTable.offsetMapping(f);
      int s = f.getAs(FeaturesTable.START_POSITIONS);
      int e = f.getAs(FeaturesTable.END_POSITIONS);
      int firstCtx = -1;
      int lastCtx = -1;
      for (int i = 0; i < offsets.length; i++) {
        if (offsets[i] != null) {
          lastCtx = i;
          firstCtx = firstCtx < 0 ? i : firstCtx;
        }
      }
      boolean inside = offsets[firstCtx][0] <= aStart && offsets[lastCtx][1] >= aEnd;
      if (!inside) {
        assertThat(s).as("window %s/%s without its answer", ex.getAs("id"), f.getAs(FeaturesTable.WINDOW)).isZero();
        assertThat(e).isZero();
        cls++;
        continue;
      }
      labelled++;
      assertThat(s).isBetween(firstCtx, lastCtx);
      assertThat(e).isBetween(s, lastCtx);
      int from = offsets[s][0];
      int to = offsets[e][1];
      assertThat(from).isLessThanOrEqualTo(aStart);
      assertThat(to).isGreaterThanOrEqualTo(aEnd);
      assertThat(cut(context, from, to)).contains(text);
      // No shorter span: dropping the first or the last token loses part of the answer.
      if (e > s) {
        assertThat(offsets[s + 1][0] <= aStart).isFalse();
        assertThat(offsets[e - 1][1] >= aEnd).isFalse();
      }
    }
    assertThat(labelled + cls).isEqualTo(10_784);
    assertThat(labelled).isGreaterThan(10_500);
  }

  /**
   * Checked against the tokenizer's own pair encoding with overflow (Hugging Face's call in run_qa.py, not the
   * question and context encoded apart as featurize does): the same windows, ids and type ids, and the offsets,
   * read back as offset_mapping, are the pair encoding's where its sequence id says context and null elsewhere,
   * as prepare_validation_features leaves them; the pair encoding's attention mask is all ones, which is why the
   * table need not store it.
   */
  @Test
  void windowsAndOffsetMappingAreThoseOfTheTokenizersPairEncoding() throws Exception {
    Map<String, List<Row>> windows = new HashMap<>();
    for (Row f : readAll(dev.features())) {
      windows.computeIfAbsent(f.getAs(FeaturesTable.EXAMPLE_ID), k -> new ArrayList<>()).add(f);
    }
    byte[] json;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      json = in.readAllBytes();
    }
    int compared = 0;
    int contextTokens = 0;
    try (HuggingFaceTokenizer pairs = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
        Map.of("truncation", "only_second", "maxLength", "384", "stride", "128", "padding", "false",
            "withOverflowingTokens", "true"))) {
      for (Row ex : spark.read().parquet(devExamples).select("id", "question", "context").collectAsList()) {
        Encoding first = pairs.encode(ex.getString(1), ex.getString(2), true, true);
        List<Encoding> expected = new ArrayList<>(List.of(first));
        expected.addAll(List.of(first.getOverflowing()));
        List<Row> got = windows.get(ex.getString(0));
        got.sort(Comparator.comparingInt(r -> r.getAs(FeaturesTable.WINDOW)));
        assertThat(got).as("windows of %s", ex.getString(0)).hasSameSizeAs(expected);
        for (int w = 0; w < got.size(); w++) {
          Encoding want = expected.get(w);
          Row f = got.get(w);
          String what = ex.getString(0) + " window " + w;
          assertThat(longs(f.getList(f.fieldIndex(FeaturesTable.INPUT_IDS)))).as(what).containsExactly(want.getIds());
          assertThat(longs(f.getList(f.fieldIndex(FeaturesTable.TOKEN_TYPE_IDS)))).as(what)
              .containsExactly(want.getTypeIds());
          assertThat(want.getAttentionMask()).as(what).containsOnly(1L).hasSize(want.getIds().length);
          int[][] offsets = FeaturesTable.offsetMapping(f);
          assertThat(offsets.length).as(what).isEqualTo(want.getIds().length);
          for (int i = 0; i < offsets.length; i++) {
            CharSpan span = want.getCharTokenSpans()[i];
            int[] pair = want.getSequenceIds()[i] == 1 ? new int[] {span.getStart(), span.getEnd()} : null;
            assertThat(offsets[i]).as("%s token %d", what, i).isEqualTo(pair);
            contextTokens += pair == null ? 0 : 1;
          }
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(10_784);
    assertThat(contextTokens).as("context tokens over all windows").isGreaterThan(10_784 * 100);
  }

  @Test
  void v20ImpossibleQuestionsPointAtClsInEveryWindow() {
    String ex = tmp.resolve("v2-examples").toString();
    SquadJson.examples(spark, TestData.devV20()).write().parquet(ex);
    FeaturizeJob.Result r = new FeaturizeJob(FeaturizeConfig.defaults(ex, tmp.resolve("v2-features").toString(),
        tmp.resolve("v2-quarantine").toString())).run(spark);
    assertThat(r.examples()).isEqualTo(11_873);
    // the bundled (rebuilt) dev-v2.0 at 384/128 with this vocabulary; any change to the windowing shows here
    assertThat(r.windows()).isEqualTo(12_134);
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
    FeaturizeJob.Result r = new FeaturizeJob(FeaturizeConfig.defaults(ex, tmp.resolve("cases-f").toString(),
        tmp.resolve("cases-q").toString())).run(spark);

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

    Row w = readAll(r.features()).get(0);
    int[][] offsets = FeaturesTable.offsetMapping(w);
    int s = w.getAs(FeaturesTable.START_POSITIONS);
    int e = w.getAs(FeaturesTable.END_POSITIONS);
    assertThat(cut(emoji, offsets[s][0], offsets[e][1])).isEqualTo("1990");
  }

  @Test
  void strideThatCanNeverFitIsRefusedAtStart() {
    assertThatThrownBy(() -> new FeaturizeConfig("e", "o", "q", null, 384, 380))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("doc_stride 380 can never fit max_length 384")
        .hasMessageContaining("--doc-stride");
  }

  static List<Row> readAll(String features) {
    return FeaturesTable.read(spark, features, FeaturesTable.SCHEMA.fieldNames()).collectAsList();
  }

  private static long[] longs(List<Integer> values) {
    return values.stream().mapToLong(Integer::longValue).toArray();
  }

  static String cut(String context, int fromCodePoint, int toCodePoint) {
    return context.substring(context.offsetByCodePoints(0, fromCodePoint), context.offsetByCodePoints(0, toCodePoint));
  }
}
