package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict then evaluate on real files: 150 dev-v2.0 questions, windows from the real tokenizer, "oracle" logits
 * that point at the gold answer where a window holds it whole (and at CLS for unanswerable questions).
 */
class PredictEvaluateJobTest {
  private static final StructType LOGITS = new StructType()
      .add("example_id", DataTypes.StringType).add("window", DataTypes.IntegerType)
      .add("start_logits", DataTypes.createArrayType(DataTypes.FloatType))
      .add("end_logits", DataTypes.createArrayType(DataTypes.FloatType))
      .add("teacher", DataTypes.StringType);

  private final SparkSession spark = LocalSpark.get();

  @Test
  void predictThenEvaluateWritesOfficialFilesScoresAndReport(@TempDir Path dir) throws Exception {
    SpanDecodingTest.loadTokenizer();
    List<SquadJson.Qa> qas = SquadJson.read(TestData.devV20()).subList(0, 150);
    List<Row> features = new ArrayList<>();
    List<Row> logits = new ArrayList<>();
    Map<String, String> expected = new HashMap<>();
    for (SquadJson.Qa qa : qas) {
      for (SpanDecodingTest.Win w : SpanDecodingTest.windows(qa)) {
        features.add(w.row());
        float[] s = new float[w.ids().length];
        float[] e = new float[w.ids().length];
        int a = qa.answers().isEmpty() ? -1 : w.tokenAt(qa.starts().get(0));
        int b = qa.answers().isEmpty() ? -1 : w.tokenAt(qa.starts().get(0) + qa.answers().get(0).length() - 1);
        if (a >= 0 && b >= a) {
          s[a] = 8;
          e[b] = 8;
          expected.putIfAbsent(qa.id(), qa.context().substring(w.offsets()[a][0], w.offsets()[b][1]));
        } else {
          s[0] = 5;
          e[0] = 5;
        }
        logits.add(RowFactory.create(w.exampleId(), w.window(), floats(s), floats(e), "oracle"));
      }
      expected.putIfAbsent(qa.id(), "");
    }
    String examplesPath = dir.resolve("examples").toString();
    String featuresPath = dir.resolve("features").toString();
    String logitsPath = dir.resolve("logits").toString();
    SquadJson.examples(qas).write().parquet(examplesPath);
    spark.createDataFrame(features, SpanDecodingTest.featureSchema()).write().parquet(featuresPath);
    spark.createDataFrame(logits, LOGITS).write().parquet(logitsPath);

    PredictJob.Result predicted = new PredictJob(PredictJob.Config.of(examplesPath, featuresPath, logitsPath,
        dir.resolve("pred").toString())).run(spark);
    assertThat(predicted.version()).isEqualTo("v2.0");
    assertThat(predicted.predictions()).isEqualTo(150);
    ObjectMapper json = new ObjectMapper();
    JsonNode texts = json.readTree(Path.of(predicted.predictionsJson()).toFile());
    JsonNode odds = json.readTree(Path.of(predicted.nullOdds()).toFile());
    assertThat(texts.size()).isEqualTo(150);
    for (SquadJson.Qa qa : qas) {
      assertThat(texts.get(qa.id()).asText()).as(qa.id()).isEqualTo(expected.get(qa.id()));
    }
    // Unanswerable: CLS 10 against the best span (0 + 0, or 8 + 0 …) gives odds of 10 minus that span's score.
    assertThat(odds.get(qas.stream().filter(q -> q.answers().isEmpty()).findFirst().orElseThrow().id()).asDouble())
        .isEqualTo(10.0);

    // A second model: the oracle's predictions with every other answer emptied, as predictions.json.
    Map<String, String> weaker = new LinkedHashMap<>();
    int i = 0;
    for (SquadJson.Qa qa : qas) {
      weaker.put(qa.id(), i++ % 2 == 0 ? "" : expected.get(qa.id()));
    }
    Path weakerFile = dir.resolve("weaker.json");
    json.writeValue(weakerFile.toFile(), weaker);

    String out = dir.resolve("eval").toString();
    // The job, not the command: the command stops its session when done, and this one is shared.
    EvaluateJob.Result result = new EvaluateJob(new EvaluateJob.Config(examplesPath, predicted.table(), null,
        weakerFile.toString(), null, featuresPath, out, null, 1.0, "teacher", "student")).run(spark);
    assertThat(result.version()).isEqualTo("v2.0");

    Map<String, String> oracle = new HashMap<>(expected);
    Map<String, Object> want = OfficialScripts.evaluateV2(qas, oracle,
        oddsOf(json.readTree(Path.of(predicted.nullOdds()).toFile()), qas));
    JsonNode summary = json.readTree(Path.of(out, "summary.json").toFile());
    assertThat(iterable(summary.fieldNames())).containsExactlyElementsOf(want.keySet());
    for (String key : want.keySet()) {
      assertThat(summary.get(key).asDouble()).as(key).isCloseTo(((Number) want.get(key)).doubleValue(), within(1e-9));
    }
    JsonNode other = json.readTree(Path.of(out, "compare_summary.json").toFile());
    assertThat(other.get("f1").asDouble())
        .isCloseTo((double) OfficialScripts.evaluateV2(qas, weaker, null).get("f1"), within(1e-9));
    assertThat(spark.read().parquet(Path.of(out, "scores").toString()).count()).isEqualTo(150);

    String html = Files.readString(Path.of(out, "report.html"));
    assertThat(html).contains("<svg", "Question word", "Windows per example", "Worst articles", "HasAns",
        "teacher vs student", "Same normalised prediction on <b>");
    assertThat(html).doesNotContain("http://", "https://", "<script").as("self-contained");
  }

  private static LinkedHashMap<String, Double> oddsOf(JsonNode node, List<SquadJson.Qa> qas) {
    LinkedHashMap<String, Double> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<Float> floats(float[] v) {
    List<Float> out = new ArrayList<>();
    for (float x : v) {
      out.add(x);
    }
    return out;
  }
}
