package io.qadistill.eval;

import static io.qadistill.eval.ScoresTable.ANSWER_WORDS;
import static io.qadistill.eval.ScoresTable.CONTEXT_WORDS;
import static io.qadistill.eval.ScoresTable.EXACT;
import static io.qadistill.eval.ScoresTable.EXACT_RAW;
import static io.qadistill.eval.ScoresTable.F1;
import static io.qadistill.eval.ScoresTable.F1_RAW;
import static io.qadistill.eval.ScoresTable.GOLD_ANSWERS;
import static io.qadistill.eval.ScoresTable.HAS_ANSWER;
import static io.qadistill.eval.ScoresTable.ID;
import static io.qadistill.eval.ScoresTable.NULL_ODDS;
import static io.qadistill.eval.ScoresTable.ORD;
import static io.qadistill.eval.ScoresTable.PREDICTION_TEXT;
import static io.qadistill.eval.ScoresTable.QUESTION;
import static io.qadistill.eval.ScoresTable.QUESTION_WORD;
import static io.qadistill.eval.ScoresTable.TITLE;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_intersect;
import static org.apache.spark.sql.functions.array_remove;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.qadistill.squad.ExamplesTable;
import io.qadistill.common.UsageException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Scores predictions against an examples table exactly as {@code evaluate-v1.1.py} / {@code evaluate-v2.0.py}
 * do, with DataFrame operations: one join (examples ⟕ predictions on id), a projection and one aggregation.
 * Only v2.0's best-threshold search sorts: all scored questions by null odds in a single task, which is what the
 * script's definition (a running sum in that order) needs.
 *
 * <p>A question's EM and F1 come from one Java function, {@link SquadMetrics#score}, called as a UDF; everything
 * around it (the join, the missing predictions, the no-answer threshold, HasAns/NoAns, the sums) is Spark SQL.
 * Why a UDF: Spark SQL can state these definitions (lower, translate, regexp_replace, then higher-order functions
 * for the token multiset overlap and the maximum over gold answers), and an earlier version here did, but that
 * cost 11× the plain single-thread loop over the same pairs, and 7× with the gold answers unrolled (Spark runs
 * higher-order functions interpreted, and Spark 4's lower() maps non-ASCII text through ICU); this function costs
 * 1.3× the loop per prediction on 2 cores, join included (docs/benchmarks.md, "Evaluation").
 *
 * <p>Predictions are a DataFrame with {@code id}, {@code prediction_text} and optionally {@code null_odds}
 * (the script's {@code na_probs}) and {@code ord} (input order, which breaks ties in null odds as the script's
 * stable sort over the null-odds file does); see {@link PredictionsTable}.
 */
public final class SquadEvaluation {
  /** The question words of the report's breakdown; "other" when none occurs in the question. */
  public static final List<String> QUESTION_WORDS = List.of("what", "who", "when", "where", "which", "why", "how");

  /** The examples' gold answer texts. */
  private static final String GOLD_TEXTS = ExamplesTable.ANSWERS + "." + ExamplesTable.TEXT;

  private static final StructType SCORE = new StructType()
      .add("exact", DataTypes.DoubleType, false).add("f1", DataTypes.DoubleType, false);

  private static final StructType BEST_SCHEMA = new StructType()
      .add("best_exact", DataTypes.DoubleType).add("best_exact_thresh", DataTypes.DoubleType)
      .add("best_f1", DataTypes.DoubleType).add("best_f1_thresh", DataTypes.DoubleType);

  private SquadEvaluation() {}

  /** v2.0 when some example has no gold answer (the script's {@code qid_to_has_ans}), else v1.1. */
  public static SquadVersion detectVersion(Dataset<Row> examples) {
    return examples.filter(coalesce(size(col(GOLD_TEXTS)), lit(0)).equalTo(0)).isEmpty()
        ? SquadVersion.V1_1 : SquadVersion.V2_0;
  }

  /**
   * {@code struct<exact, f1>} of a prediction (not null) against gold answer texts, by {@link SquadMetrics#score}
   * with {@code version}'s rules.
   */
  public static Column score(Column prediction, Column goldAnswers, SquadVersion version) {
    UserDefinedFunction f = udf((UDF2<String, Seq<String>, Row>) (p, gold) -> {
      SquadMetrics.Score s = SquadMetrics.score(p, gold == null ? List.of() : CollectionConverters.asJava(gold),
          version);
      return RowFactory.create(s.exact(), s.f1());
    }, SCORE);
    return f.apply(prediction, goldAnswers);
  }

  /**
   * One row per example: {@code id, title, question, gold_answers, prediction_text, null_odds, ord, has_answer,
   * exact_raw, f1_raw, exact, f1, question_word, answer_words, context_words}. {@code exact}/{@code f1} are what
   * the summary averages (0 or 1 and [0, 1]); null where the question does not count (v2.0, no prediction).
   * For v2.0 they are after the no-answer threshold: a question whose null odds exceed {@code naProbThreshold}
   * scores 1 if it is unanswerable, else 0 ({@code apply_no_ans_threshold}; the script's default threshold is
   * 1.0, and without null odds every question has odds 0). Lazy: nothing runs until the result is used.
   */
  public static Dataset<Row> scores(
      Dataset<Row> examples, Dataset<Row> predictions, SquadVersion version, double naProbThreshold) {
    List<String> columns = Arrays.asList(predictions.columns());
    Dataset<Row> preds = predictions.select(
        col(ID),
        col(PREDICTION_TEXT),
        columns.contains(NULL_ODDS) ? col(NULL_ODDS).cast(DataTypes.DoubleType)
            : lit(null).cast(DataTypes.DoubleType).as(NULL_ODDS),
        columns.contains(ORD) ? col(ORD) : monotonically_increasing_id().as(ORD));
    Column predicted = col(PREDICTION_TEXT).isNotNull();
    // A missing prediction scores 0 and counts in v1.1; v2.0 leaves it out.
    Column missing = lit(version == SquadVersion.V1_1 ? 0.0 : null).cast(DataTypes.DoubleType);
    Dataset<Row> scored = examples
        .select(col(ExamplesTable.ID).as(ID), col(ExamplesTable.TITLE).as(TITLE),
            col(ExamplesTable.QUESTION).as(QUESTION), col(ExamplesTable.CONTEXT), col(GOLD_TEXTS).as(GOLD_ANSWERS))
        .join(preds, new String[] {ID}, "left")
        .withColumn(HAS_ANSWER, coalesce(size(col(GOLD_ANSWERS)), lit(0)).gt(0))
        .withColumn("_score", when(predicted, score(col(PREDICTION_TEXT), col(GOLD_ANSWERS), version)))
        .withColumn(EXACT_RAW, coalesce(col("_score.exact"), missing))
        .withColumn(F1_RAW, coalesce(col("_score.f1"), missing));
    if (version == SquadVersion.V2_0) {
      Column answersNothing = coalesce(col(NULL_ODDS), lit(0.0)).gt(naProbThreshold).and(predicted);
      Column noAnswerScore = when(col(HAS_ANSWER), lit(0.0)).otherwise(lit(1.0));
      scored = scored
          .withColumn(EXACT, when(answersNothing, noAnswerScore).otherwise(col(EXACT_RAW)))
          .withColumn(F1, when(answersNothing, noAnswerScore).otherwise(col(F1_RAW)));
    } else {
      scored = scored.withColumn(EXACT, col(EXACT_RAW)).withColumn(F1, col(F1_RAW));
    }
    return scored
        .withColumn(QUESTION_WORD, questionWord(col(QUESTION)))
        .withColumn(ANSWER_WORDS, coalesce(size(words(try_element_at(col(GOLD_ANSWERS), lit(1)))), lit(0)))
        .withColumn(CONTEXT_WORDS, size(words(col(ExamplesTable.CONTEXT))))
        .drop("_score", ExamplesTable.CONTEXT);
  }

  /** White-space separated words of a text (null stays null). */
  static Column words(Column text) {
    return array_remove(split(text, SquadMetrics.WHITESPACE_CLASS + "+"), "");
  }

  /** The first of {@link #QUESTION_WORDS} among the question's words ("In what year…" is "what"), else "other". */
  static Column questionWord(Column question) {
    Column known = array(QUESTION_WORDS.stream().map(w -> lit(w)).toArray(Column[]::new));
    // array_intersect keeps the order of its first argument.
    return coalesce(try_element_at(array_intersect(split(lower(question), "[^\\p{L}]+"), known), lit(1)),
        lit("other"));
  }

  /**
   * The official summary, keys in the script's order. v1.1: {@code exact_match, f1}. v2.0: {@code exact, f1,
   * total}, then {@code HasAns_*} and {@code NoAns_*} where the data set has such questions, then
   * {@code best_exact, best_exact_thresh, best_f1, best_f1_thresh} when null odds were given. Figures are
   * percentages. One aggregation over {@code scores}, plus the sort for the best thresholds.
   *
   * <p>Where the scripts would stop with an error, this defines: v1.1 questions without gold answers score 0;
   * v2.0 questions without a prediction are left out of HasAns/NoAns as of the overall total (the script
   * raises KeyError there); null odds given for some but not all predicted questions is a usage error.
   */
  public static Map<String, Object> summary(Dataset<Row> scores, SquadVersion version) {
    Column has = col(HAS_ANSWER);
    Column counted = col(EXACT).isNotNull();
    Row a = scores.agg(
        count(lit(1)),
        count(col(EXACT)),
        coalesce(sum(col(EXACT)), lit(0.0)),
        coalesce(sum(col(F1)), lit(0.0)),
        count(when(has, col(EXACT))),
        coalesce(sum(when(has, col(EXACT))), lit(0.0)),
        coalesce(sum(when(has, col(F1))), lit(0.0)),
        count(when(has.and(counted), lit(1))).as("has_counted"),
        coalesce(sum(when(has, lit(1))), lit(0L)),
        coalesce(sum(when(not(has), lit(1))), lit(0L)),
        count(when(counted, col(NULL_ODDS))))
        .first();
    long examples = a.getLong(0);
    long total = a.getLong(1);
    Map<String, Object> out = new LinkedHashMap<>();
    if (version == SquadVersion.V1_1) {
      out.put("exact_match", percent(a.getDouble(2), examples));
      out.put("f1", percent(a.getDouble(3), examples));
      return out;
    }
    long hasTotal = a.getLong(4);
    long datasetHas = a.getLong(8);
    long datasetNo = a.getLong(9);
    long noTotal = total - hasTotal;
    out.put("exact", percent(a.getDouble(2), total));
    out.put("f1", percent(a.getDouble(3), total));
    out.put("total", total);
    if (datasetHas > 0) {
      out.put("HasAns_exact", percent(a.getDouble(5), hasTotal));
      out.put("HasAns_f1", percent(a.getDouble(6), hasTotal));
      out.put("HasAns_total", hasTotal);
    }
    if (datasetNo > 0) {
      out.put("NoAns_exact", percent(a.getDouble(2) - a.getDouble(5), noTotal));
      out.put("NoAns_f1", percent(a.getDouble(3) - a.getDouble(6), noTotal));
      out.put("NoAns_total", noTotal);
    }
    long withOdds = a.getLong(10);
    if (withOdds > 0 && total > 0) {
      if (withOdds < total) {
        throw new UsageException("null odds are given for " + withOdds + " of the " + total
            + " predicted questions: give them for every predicted id, or for none");
      }
      Row best = bestThresholds(scores, datasetNo, total);
      out.put("best_exact", best.getDouble(0));
      out.put("best_exact_thresh", best.getDouble(1));
      out.put("best_f1", best.getDouble(2));
      out.put("best_f1_thresh", best.getDouble(3));
    }
    return out;
  }

  /** 100 × sum / n, 0 for no rows (where the script would divide by zero). */
  private static double percent(double sum, long n) {
    return n == 0 ? 0.0 : 100.0 * sum / n;
  }

  /**
   * {@code find_all_best_thresh} over the raw scores: every scored question goes to one task, sorted by
   * (null odds, input order), and {@link BestThreshold} walks them. Returns the best score and its threshold,
   * for EM then F1.
   */
  private static Row bestThresholds(Dataset<Row> scores, long numNoAnswer, long scored) {
    MapPartitionsFunction<Row, Row> walk = rows -> {
      BestThreshold exact = new BestThreshold(numNoAnswer);
      BestThreshold f1 = new BestThreshold(numNoAnswer);
      while (rows.hasNext()) {
        Row r = rows.next();
        double odds = r.getDouble(0);
        boolean has = r.getBoolean(1);
        boolean nonEmpty = r.getBoolean(2);
        exact.add(odds, has, nonEmpty, r.getDouble(3));
        f1.add(odds, has, nonEmpty, r.getDouble(4));
      }
      return List.of(RowFactory.create(
          exact.bestScore(scored), exact.bestThreshold(), f1.bestScore(scored), f1.bestThreshold())).iterator();
    };
    return scores
        .filter(col(EXACT_RAW).isNotNull())
        .select(col(NULL_ODDS), col(HAS_ANSWER), length(col(PREDICTION_TEXT)).gt(0),
            col(EXACT_RAW), col(F1_RAW), col(ORD))
        .repartition(1)
        .sortWithinPartitions(col(NULL_ODDS), col(ORD))
        .mapPartitions(walk, Encoders.row(BEST_SCHEMA))
        .first();
  }
}
