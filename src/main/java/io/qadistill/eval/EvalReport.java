package io.qadistill.eval;

import static io.qadistill.eval.ScoresTable.ANSWER_WORDS;
import static io.qadistill.eval.ScoresTable.CONTEXT_WORDS;
import static io.qadistill.eval.ScoresTable.EXACT;
import static io.qadistill.eval.ScoresTable.F1;
import static io.qadistill.eval.ScoresTable.GOLD_ANSWERS;
import static io.qadistill.eval.ScoresTable.HAS_ANSWER;
import static io.qadistill.eval.ScoresTable.ID;
import static io.qadistill.eval.ScoresTable.PREDICTION_TEXT;
import static io.qadistill.eval.ScoresTable.QUESTION;
import static io.qadistill.eval.ScoresTable.QUESTION_WORD;
import static io.qadistill.eval.ScoresTable.TITLE;
import static io.qadistill.eval.ScoresTable.WINDOWS;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Aggregates per-example scores ({@link SquadEvaluation#scores}) into {@link ReportData}: one small group-by per
 * breakdown over the counted questions (those with a non-null {@code exact}), and for two models one join on id.
 * Only aggregates and the {@link #MAX_DIFFERENCES} most different questions reach the driver.
 */
public final class EvalReport {
  /** How many questions where the models differ the report lists. */
  public static final int MAX_DIFFERENCES = 50;
  /** How many of the worst articles the report lists. */
  public static final int WORST_ARTICLES = 10;

  private EvalReport() {}

  /** Breakdowns by question word, answer and context length, windows (when the scores have them), HasAns/NoAns. */
  public static List<ReportData.Breakdown> breakdowns(Dataset<Row> scores, SquadVersion version) {
    Dataset<Row> counted = scores.filter(col(EXACT).isNotNull());
    List<ReportData.Breakdown> out = new ArrayList<>();
    List<String> words = new ArrayList<>(SquadEvaluation.QUESTION_WORDS);
    words.add("other");
    out.add(breakdown("Question word", counted, col(QUESTION_WORD), words));
    out.add(breakdown("Answer length (words of the first gold answer)", counted,
        bucket(col(ANSWER_WORDS), new long[] {0, 1, 2, 3, 4, 6, 11}, new String[] {"no answer", "1", "2", "3",
            "4-5", "6-10", "11+"}), List.of("no answer", "1", "2", "3", "4-5", "6-10", "11+")));
    String[] contextLabels = {"<100", "100-149", "150-199", "200-299", "300+"};
    out.add(breakdown("Context length (words)", counted,
        bucket(col(CONTEXT_WORDS), new long[] {0, 100, 150, 200, 300}, contextLabels), List.of(contextLabels)));
    if (List.of(scores.columns()).contains(WINDOWS)) {
      String[] windowLabels = {"none", "1", "2", "3", "4+"};
      out.add(breakdown("Windows per example", counted,
          bucket(coalesce(col(WINDOWS), lit(0L)), new long[] {0, 1, 2, 3, 4}, windowLabels), List.of(windowLabels)));
    }
    if (version == SquadVersion.V2_0) {
      out.add(breakdown("Answerable", counted,
          when(col(HAS_ANSWER), lit("HasAns")).otherwise(lit("NoAns")), List.of("HasAns", "NoAns")));
    }
    return out;
  }

  /** The F1 bins of {@link #f1Histogram}: F1 = 0, then five equal bins of (0, 1), then F1 = 1. */
  static final List<String> F1_BINS = List.of("0", "(0, 0.2)", "[0.2, 0.4)", "[0.4, 0.6)", "[0.6, 0.8)",
      "[0.8, 1)", "1");

  /** Questions per F1 bin and the number with EM 1, over the counted questions: one aggregation. */
  public static ReportData.Histogram f1Histogram(Dataset<Row> scores) {
    Column f1 = col(F1);
    Column bin = when(f1.equalTo(0.0), lit(0)).when(f1.equalTo(1.0), lit(F1_BINS.size() - 1))
        .otherwise(floor(f1.multiply(5)).cast("int").plus(1));
    Map<Integer, Long> byBin = new java.util.HashMap<>();
    long exact = 0;
    for (Row r : scores.filter(col(EXACT).isNotNull())
        .groupBy(bin.as("bin")).agg(count(lit(1)), sum(col(EXACT))).collectAsList()) {
      byBin.put(r.getInt(0), r.getLong(1));
      exact += (long) r.getDouble(2);
    }
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < F1_BINS.size(); i++) {
      counts.add(byBin.getOrDefault(i, 0L));
    }
    return new ReportData.Histogram(F1_BINS, counts, exact, counts.stream().mapToLong(Long::longValue).sum());
  }

  /** Articles by F1, lowest first. */
  public static List<ReportData.Bucket> worstArticles(Dataset<Row> scores, int n) {
    return buckets(scores.filter(col(EXACT).isNotNull()), col(TITLE)).stream()
        .sorted(Comparator.comparingDouble(ReportData.Bucket::f1).thenComparing(ReportData.Bucket::label))
        .limit(n)
        .toList();
  }

  /** The label of the bucket {@code value} falls in: the last {@code lower[i] <= value}. */
  private static Column bucket(Column value, long[] lower, String[] labels) {
    Column label = lit(labels[0]);
    for (int i = 1; i < lower.length; i++) {
      label = when(value.geq(lower[i]), lit(labels[i])).otherwise(label);
    }
    return label;
  }

  private static ReportData.Breakdown breakdown(String name, Dataset<Row> counted, Column key, List<String> order) {
    List<ReportData.Bucket> got = buckets(counted, key);
    List<ReportData.Bucket> ordered = new ArrayList<>();
    for (String label : order) {
      got.stream().filter(b -> b.label().equals(label)).findFirst().ifPresent(ordered::add);
    }
    return new ReportData.Breakdown(name, ordered);
  }

  private static List<ReportData.Bucket> buckets(Dataset<Row> counted, Column key) {
    return counted.groupBy(key.as("label"))
        .agg(count(lit(1)), avg(col(EXACT)), avg(col(F1)))
        .collectAsList().stream()
        .map(r -> new ReportData.Bucket(String.valueOf(r.get(0)), r.getLong(1), 100 * r.getDouble(2),
            100 * r.getDouble(3)))
        .toList();
  }

  /**
   * Model B against model A on the questions both count: agreement (same normalised prediction), who is right
   * (EM), mean F1, and the {@link #MAX_DIFFERENCES} questions whose F1 differs most.
   */
  public static ReportData.Comparison compare(Dataset<Row> scoresA, Dataset<Row> scoresB, String modelA,
      String modelB, Map<String, Object> summaryB, SquadVersion version) {
    Dataset<Row> both = scoresA.filter(col(EXACT).isNotNull())
        .select(col(ID), col(TITLE), col(QUESTION), try_element_at(col(GOLD_ANSWERS), lit(1)).as("gold"),
            col(PREDICTION_TEXT).as("pa"), col(EXACT).as("ea"), col(F1).as("fa"))
        .join(scoresB.filter(col(EXACT).isNotNull())
            .select(col(ID), col(PREDICTION_TEXT).as("pb"), col(EXACT).as("eb"), col(F1).as("fb")), ID);
    // Same normalised text: B's prediction is an exact match of A's.
    Column agree = SquadEvaluation.score(coalesce(col("pb"), lit("")), array(coalesce(col("pa"), lit(""))),
        SquadVersion.V1_1).getField(EXACT).equalTo(1.0);
    Column a = col("ea").equalTo(1.0);
    Column b = col("eb").equalTo(1.0);
    Row s = both.agg(count(lit(1)), count(when(agree, lit(1))), count(when(a.and(b), lit(1))),
        count(when(a.and(b.equalTo(false)), lit(1))), count(when(b.and(a.equalTo(false)), lit(1))),
        count(when(a.equalTo(false).and(b.equalTo(false)), lit(1))),
        coalesce(sum(col("fa")), lit(0.0)), coalesce(sum(col("fb")), lit(0.0)))
        .first();
    long n = s.getLong(0);
    List<ReportData.Difference> differences = both
        .filter(col("fa").notEqual(col("fb")))
        .orderBy(abs(col("fa").minus(col("fb"))).desc(), col(ID))
        .limit(MAX_DIFFERENCES)
        .collectAsList().stream()
        .map(r -> new ReportData.Difference(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
            r.getString(4), r.getString(7), r.getDouble(6), r.getDouble(9)))
        .toList();
    return new ReportData.Comparison(modelA, modelB, summaryB, breakdowns(scoresB, version), n, s.getLong(1),
        s.getLong(2), s.getLong(3), s.getLong(4), s.getLong(5), n == 0 ? 0 : 100 * s.getDouble(6) / n,
        n == 0 ? 0 : 100 * s.getDouble(7) / n, differences);
  }
}
