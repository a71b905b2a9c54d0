package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EM/F1 with DataFrame operations on the real dev sets, against {@link OfficialScripts} (an independent Java port
 * of the official scripts) and, for the two perturbed prediction sets, against the figures the official Python
 * scripts printed for them (evaluate-v1.1.py and evaluate-v2.0.py run once by hand; CI needs no Python).
 */
class SquadEvaluationTest {
  private static final StructType PREDICTIONS = new StructType()
      .add("id", DataTypes.StringType).add("prediction_text", DataTypes.StringType);

  private final SparkSession spark = LocalSpark.get();

  private Dataset<Row> predictions(Map<String, String> byId) {
    List<Row> rows = new ArrayList<>();
    byId.forEach((id, text) -> rows.add(RowFactory.create(id, text)));
    return spark.createDataFrame(rows, PREDICTIONS);
  }

  private static Map<String, Object> evaluate(Dataset<Row> examples, Dataset<Row> preds, SquadVersion v) {
    return SquadEvaluation.summary(SquadEvaluation.scores(examples, preds, v, 1.0), v);
  }

  @Test
  void goldAnswersScoreHundredAndEmptyAnswersZeroOnDevV11() {
    List<SquadJson.Qa> dev = SquadJson.read(TestData.devV11());
    Dataset<Row> examples = SquadJson.examples(dev);
    assertThat(SquadEvaluation.detectVersion(examples)).isEqualTo(SquadVersion.V1_1);
    Map<String, String> gold = new LinkedHashMap<>();
    Map<String, String> lastGold = new LinkedHashMap<>();
    Map<String, String> empty = new LinkedHashMap<>();
    for (SquadJson.Qa qa : dev) {
      gold.put(qa.id(), qa.answers().get(0));
      lastGold.put(qa.id(), qa.answers().get(qa.answers().size() - 1));
      empty.put(qa.id(), "");
    }
    assertThat(evaluate(examples, predictions(gold), SquadVersion.V1_1))
        .containsExactly(Map.entry("exact_match", 100.0), Map.entry("f1", 100.0));
    // The last gold answer of 57340d124776f419006617bf is ".", which normalises to "": v1.1 gives it EM 1, F1 0.
    assertThat(evaluate(examples, predictions(lastGold), SquadVersion.V1_1))
        .containsExactly(Map.entry("exact_match", 100.0), Map.entry("f1", 100.0 * 10569 / 10570));
    // F1 is 0; EM is not quite: 3 questions have "." among their gold answers, and "" equals it once normalised.
    assertThat(evaluate(examples, predictions(empty), SquadVersion.V1_1))
        .containsExactly(Map.entry("exact_match", 100.0 * 3 / 10570), Map.entry("f1", 0.0));
  }

  /** Perturbations that each exercise one step of normalize_answer, for every other question of the dev set. */
  static String perturb(String gold, int k) {
    String[] words = gold.split(" ");
    return switch (k % 10) {
      case 0 -> gold;
      case 1 -> "The " + gold + " an";
      case 2 -> gold.toUpperCase(java.util.Locale.ROOT);
      case 3 -> "(" + gold.replace(" ", ", ") + ").";
      case 4 -> gold + " and a few more words";
      case 5 -> words.length > 1 ? String.join(" ", java.util.Arrays.copyOf(words, words.length - 1)) : "x " + gold;
      case 6 -> "«" + gold.replace(" ", " — ") + "»’";
      case 7 -> gold.replace(" ", "\u00A0") + "\u200Bthe\u3000a\u0301";
      case 8 -> "the " + gold + " " + gold;
      default -> "";
    };
  }

  /** Every other question of dev-v1.1, its gold answers in turn, each perturbed by {@link #perturb}. */
  static LinkedHashMap<String, String> perturbedHalf(List<SquadJson.Qa> dev) {
    LinkedHashMap<String, String> preds = new LinkedHashMap<>();
    for (int i = 0; i < dev.size(); i += 2) {
      SquadJson.Qa qa = dev.get(i);
      preds.put(qa.id(), perturb(qa.answers().get(i / 2 % qa.answers().size()), i / 2));
    }
    return preds;
  }

  @Test
  void perturbedPredictionsForHalfTheIdsScoreAsTheOfficialDefinitions() {
    List<SquadJson.Qa> dev = SquadJson.read(TestData.devV11());
    Map<String, String> preds = perturbedHalf(dev);
    Dataset<Row> scores = SquadEvaluation.scores(SquadJson.examples(dev), predictions(preds), SquadVersion.V1_1, 1.0);
    Map<String, Object> summary = SquadEvaluation.summary(scores, SquadVersion.V1_1);
    Map<String, Double> expected = OfficialScripts.evaluateV1(dev, preds);
    assertThat((double) summary.get("exact_match")).isCloseTo(expected.get("exact_match"), within(1e-9));
    assertThat((double) summary.get("f1")).isCloseTo(expected.get("f1"), within(1e-9));
    // What the official evaluate-v1.1.py printed for this prediction set (Python 3.11.7).
    assertThat((double) summary.get("exact_match")).isCloseTo(20.245979186376537, within(1e-9));
    assertThat((double) summary.get("f1")).isCloseTo(32.086245635810506, within(1e-9));
    // Not a degenerate figure: the perturbations cost something but not everything.
    assertThat(expected.get("f1")).isBetween(20.0, 45.0);

    // Question by question, too.
    Map<String, double[]> byId = new HashMap<>();
    for (Row r : scores.select("id", "exact", "f1").collectAsList()) {
      byId.put(r.getString(0), new double[] {r.getDouble(1), r.getDouble(2)});
    }
    for (SquadJson.Qa qa : dev) {
      String p = preds.get(qa.id());
      double em = p == null ? 0 : qa.answers().stream().mapToDouble(g -> OfficialScripts.exact(p, g)).max().orElseThrow();
      double f1 = p == null ? 0 : qa.answers().stream().mapToDouble(g -> OfficialScripts.f1V1(p, g)).max().orElseThrow();
      assertThat(byId.get(qa.id())).as("%s: %s vs %s", qa.id(), p, qa.answers()).containsExactly(em, f1);
    }
  }

  @Test
  void emptyEverywhereOnDevV20ScoresTheUnanswerableShare() {
    List<SquadJson.Qa> dev = SquadJson.read(TestData.devV20());
    Dataset<Row> examples = SquadJson.examples(dev);
    assertThat(SquadEvaluation.detectVersion(examples)).isEqualTo(SquadVersion.V2_0);
    Map<String, String> empty = new LinkedHashMap<>();
    dev.forEach(qa -> empty.put(qa.id(), ""));
    Map<String, Object> summary = evaluate(examples, predictions(empty), SquadVersion.V2_0);
    double share = 100.0 * 5945 / 11873;
    assertThat((double) summary.get("exact")).isCloseTo(share, within(1e-9));
    assertThat((double) summary.get("f1")).isCloseTo(share, within(1e-9));
    assertThat(summary).containsEntry("total", 11873L).containsEntry("HasAns_total", 5928L)
        .containsEntry("NoAns_total", 5945L).containsEntry("HasAns_f1", 0.0).containsEntry("NoAns_exact", 100.0);
    assertThat(summary.keySet()).containsExactly("exact", "f1", "total", "HasAns_exact", "HasAns_f1",
        "HasAns_total", "NoAns_exact", "NoAns_f1", "NoAns_total");
  }

  /** v2.0 predictions for every question and their null-odds file, in another order than the predictions. */
  record WithOdds(LinkedHashMap<String, String> predictions, LinkedHashMap<String, Double> odds) {}

  /**
   * Answerable questions get perturbed gold answers, unanswerable ones "the", "" or "Paris" in turn. Null odds on a
   * coarse grid (-1.5 … 2.0 by 0.25, higher for unanswerable questions), so that many questions tie and the
   * file's order decides within a tie; the file lists the questions in reverse.
   */
  static WithOdds withOdds(List<SquadJson.Qa> dev) {
    LinkedHashMap<String, String> preds = new LinkedHashMap<>();
    for (int i = 0; i < dev.size(); i++) {
      SquadJson.Qa qa = dev.get(i);
      boolean has = !qa.answers().isEmpty();
      preds.put(qa.id(), has ? perturb(qa.answers().get(0), i) : i % 3 == 0 ? "the" : i % 3 == 1 ? "" : "Paris");
    }
    LinkedHashMap<String, Double> odds = new LinkedHashMap<>();
    for (int i = dev.size() - 1, k = 0; i >= 0; i--, k++) {
      SquadJson.Qa qa = dev.get(i);
      double base = qa.answers().isEmpty() ? 1.0 : -0.5;
      odds.put(qa.id(), base + 0.25 * ((k * 7) % 9 - 4));
    }
    return new WithOdds(preds, odds);
  }

  @Test
  void nullOddsFileGivesTheBestThresholdsOfFindBestThresh(@TempDir Path dir) throws Exception {
    List<SquadJson.Qa> dev = SquadJson.read(TestData.devV20());
    WithOdds set = withOdds(dev);
    Map<String, String> preds = set.predictions();
    LinkedHashMap<String, Double> odds = set.odds();
    ObjectMapper json = new ObjectMapper();
    Path predFile = dir.resolve("predictions.json");
    Path oddsFile = dir.resolve("null_odds.json");
    json.writeValue(predFile.toFile(), preds);
    json.writeValue(oddsFile.toFile(), odds);

    Dataset<Row> read = PredictionsTable.read(spark, predFile.toString(), oddsFile.toString());
    Map<String, Object> summary = evaluate(SquadJson.examples(dev), read, SquadVersion.V2_0);
    Map<String, Object> expected = OfficialScripts.evaluateV2(dev, preds, odds);
    assertThat(summary.keySet()).containsExactlyElementsOf(expected.keySet());
    for (String key : expected.keySet()) {
      assertThat(((Number) summary.get(key)).doubleValue()).as(key)
          .isCloseTo(((Number) expected.get(key)).doubleValue(), within(1e-9));
    }
    // What the official evaluate-v2.0.py printed for these files (Python 3.11.7), key by key.
    Map<String, Double> official = new LinkedHashMap<>();
    official.put("exact", 64.8024930514613);
    official.put("f1", 76.74552840388874);
    official.put("total", 11873.0);
    official.put("HasAns_exact", 40.09784075573549);
    official.put("HasAns_f1", 64.01816105589799);
    official.put("HasAns_total", 5928.0);
    official.put("NoAns_exact", 89.43650126156435);
    official.put("NoAns_f1", 89.43650126156435);
    official.put("NoAns_total", 5945.0);
    official.put("best_exact", 65.62789522445885);
    official.put("best_exact_thresh", 0.0);
    official.put("best_f1", 74.96321171749243);
    official.put("best_f1_thresh", 0.25);
    for (String key : official.keySet()) {
      assertThat(((Number) summary.get(key)).doubleValue()).as(key).isCloseTo(official.get(key), within(1e-9));
    }
    // The threshold (odds > 1.0 answers "") moved the main figures away from the raw ones.
    Map<String, Object> raw = OfficialScripts.evaluateV2(dev, preds, null);
    assertThat((double) expected.get("exact")).isNotCloseTo((double) raw.get("exact"), within(0.1));
  }

  @Test
  void missingV20PredictionsAreLeftOut() {
    List<SquadJson.Qa> dev = SquadJson.read(TestData.devV20()).subList(0, 400);
    Map<String, String> preds = new LinkedHashMap<>();
    for (int i = 0; i < dev.size(); i += 3) {
      SquadJson.Qa qa = dev.get(i);
      preds.put(qa.id(), qa.answers().isEmpty() ? "" : perturb(qa.answers().get(0), i));
    }
    Map<String, Object> summary = evaluate(SquadJson.examples(dev), predictions(preds), SquadVersion.V2_0);
    Map<String, Object> expected = OfficialScripts.evaluateV2(dev, preds, null);
    assertThat(summary).containsEntry("total", (long) preds.size());
    for (String key : expected.keySet()) {
      assertThat(((Number) summary.get(key)).doubleValue()).as(key)
          .isCloseTo(((Number) expected.get(key)).doubleValue(), within(1e-9));
    }
  }
}
