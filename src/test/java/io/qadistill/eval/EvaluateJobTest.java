package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.features.FeaturesTable;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate stage on 300 dev-v2.0 questions: a "teacher" as a Parquet predictions table with null odds, a
 * "student" as the official predictions.json + null_odds.json; what it writes against {@link OfficialScripts}.
 */
class EvaluateJobTest {
  private static final StructType PREDICTIONS = new StructType()
      .add("id", DataTypes.StringType).add("prediction_text", DataTypes.StringType)
      .add("null_odds", DataTypes.DoubleType);

  private final SparkSession spark = LocalSpark.get();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void writesScoresTheOfficialSummaryAndAReportThatHoldsTheFigures(@TempDir Path dir) throws Exception {
    List<SquadJson.Qa> qas = SquadJson.read(TestData.devV20()).subList(0, 300);
    SquadEvaluationTest.WithOdds teacher = SquadEvaluationTest.withOdds(qas);
    // The teacher's table in the order of its odds, which breaks ties in the best-threshold search.
    List<Row> rows = new ArrayList<>();
    teacher.odds().forEach((id, odds) -> rows.add(RowFactory.create(id, teacher.predictions().get(id), odds)));
    String teacherPath = dir.resolve("teacher").toString();
    spark.createDataFrame(rows, PREDICTIONS).coalesce(1).write().parquet(teacherPath);
    // The student answers every third question "" and is less sure of everything.
    LinkedHashMap<String, String> student = new LinkedHashMap<>();
    LinkedHashMap<String, Double> studentOdds = new LinkedHashMap<>();
    int k = 0;
    for (Map.Entry<String, String> e : teacher.predictions().entrySet()) {
      student.put(e.getKey(), k % 3 == 0 ? "" : e.getValue());
      studentOdds.put(e.getKey(), teacher.odds().get(e.getKey()) + 0.25);
      k++;
    }
    Path studentFile = dir.resolve("predictions.json");
    Path studentOddsFile = dir.resolve("null_odds.json");
    json.writeValue(studentFile.toFile(), student);
    json.writeValue(studentOddsFile.toFile(), studentOdds);
    String examplesPath = dir.resolve("examples").toString();
    SquadJson.examples(qas).write().parquet(examplesPath);
    List<Row> features = new ArrayList<>();
    Map<String, Long> windows = new HashMap<>();
    for (SquadJson.Qa qa : qas) {
      for (SpanDecodingTest.Win w : SpanDecodingTest.windows(qa)) {
        features.add(w.row());
        windows.merge(qa.id(), 1L, Long::sum);
      }
    }
    String featuresPath = dir.resolve("features").toString();
    FeaturesTable.write(spark.createDataFrame(features, FeaturesTable.SCHEMA), featuresPath);

    String out = dir.resolve("eval").toString();
    EvaluateJob.Result result = new EvaluateJob(new EvaluateJob.Config(examplesPath, teacherPath, null,
        studentFile.toString(), studentOddsFile.toString(), featuresPath, out, null, 1.0, "teacher", "student"))
        .run(spark);

    // The official summary, in the script's keys and order, in the result and in summary.json.
    Map<String, Object> want = OfficialScripts.evaluateV2(qas, teacher.predictions(), teacher.odds());
    assertThat(result.version()).isEqualTo("v2.0");
    assertThat(result.summary().keySet()).containsExactlyElementsOf(want.keySet());
    JsonNode summary = json.readTree(Path.of(out, "summary.json").toFile());
    List<String> keys = new ArrayList<>();
    summary.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyElementsOf(want.keySet());
    for (String key : want.keySet()) {
      double expected = ((Number) want.get(key)).doubleValue();
      assertThat(summary.get(key).asDouble()).as(key).isCloseTo(expected, within(1e-9));
    }
    Map<String, Object> wantStudent = OfficialScripts.evaluateV2(qas, student, studentOdds);
    JsonNode studentSummary = json.readTree(Path.of(out, "compare_summary.json").toFile());
    for (String key : wantStudent.keySet()) {
      double expected = ((Number) wantStudent.get(key)).doubleValue();
      assertThat(studentSummary.get(key).asDouble()).as("student " + key).isCloseTo(expected, within(1e-9));
    }

    // Per-example scores: one row per question, with the windows of the features table.
    List<Row> scores = spark.read().parquet(result.scores()).select("id", "windows", "question_word", "exact", "f1")
        .collectAsList();
    assertThat(scores).hasSize(300);
    Map<String, Long> perWord = new HashMap<>();
    for (Row r : scores) {
      assertThat(r.getLong(1)).as(r.getString(0)).isEqualTo(windows.get(r.getString(0)));
      perWord.merge(r.getString(2), 1L, Long::sum);
    }

    String html = Files.readString(Path.of(result.report()));
    assertThat(html).startsWith("<!DOCTYPE html>").contains("</html>");
    assertThat(html).doesNotContain("http://", "https://", "<script", "<link", "<img").as("self-contained");
    assertThat(html).contains(
        "<svg",
        percent(want.get("exact")),
        percent(want.get("f1")),
        percent(want.get("best_f1")),
        "Question word", "Answer length", "Context length (words)", "Windows per example", "Answerable",
        "Worst articles", "Distribution of F1", "teacher vs student",
        // The histogram counts every question once.
        "300 questions counted");
    // Question-word buckets with the counts the test finds itself: the first known word of the question.
    Map<String, Long> expectedWords = new HashMap<>();
    for (SquadJson.Qa qa : qas) {
      String word = "other";
      for (String w : qa.question().toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
        if (SquadEvaluation.QUESTION_WORDS.contains(w)) {
          word = w;
          break;
        }
      }
      expectedWords.merge(word, 1L, Long::sum);
    }
    assertThat(perWord).isEqualTo(expectedWords);
    expectedWords.forEach((word, n) -> assertThat(html).contains(">" + word + " (n=" + n + ")<"));
    long hasAnswer = qas.stream().filter(q -> !q.answers().isEmpty()).count();
    assertThat(html).contains(">HasAns (n=" + hasAnswer + ")<", ">NoAns (n=" + (300 - hasAnswer) + ")<");
    // Agreement: the same normalised answer from both models.
    long agree = student.keySet().stream().filter(id -> OfficialScripts.normalizeAnswer(student.get(id))
        .equals(OfficialScripts.normalizeAnswer(teacher.predictions().get(id)))).count();
    assertThat(agree).isBetween(150L, 299L);
    assertThat(html).contains("Same normalised prediction on <b>" + agree + "</b> of 300 questions");
  }

  private static String percent(Object value) {
    return String.format(Locale.ROOT, "%.2f", ((Number) value).doubleValue());
  }
}
