package io.qadistill.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The scores table, one row per question of the examples ({@link SquadEvaluation#scores} makes it; the summary
 * and the report aggregate it): the question ({@code id, title, question, gold_answers}), the model's answer
 * ({@code prediction_text, null_odds, ord}), its scores ({@code exact_raw, f1_raw} as the script's
 * {@code get_raw_scores}; {@code exact, f1} after the no-answer threshold, null where a question does not count)
 * and what the report breaks them down by ({@code has_answer, question_word, answer_words, context_words}, and
 * {@code windows} when features were given). Written as Parquet, with a CSV copy without the texts.
 */
public final class ScoresTable {
  public static final String ID = "id";
  public static final String TITLE = "title";
  public static final String QUESTION = "question";
  public static final String GOLD_ANSWERS = "gold_answers";
  public static final String PREDICTION_TEXT = PredictionsTable.PREDICTION_TEXT;
  public static final String NULL_ODDS = PredictionsTable.NULL_ODDS;
  public static final String ORD = PredictionsTable.ORD;
  public static final String HAS_ANSWER = "has_answer";
  public static final String EXACT_RAW = "exact_raw";
  public static final String F1_RAW = "f1_raw";
  public static final String EXACT = "exact";
  public static final String F1 = "f1";
  public static final String QUESTION_WORD = "question_word";
  public static final String ANSWER_WORDS = "answer_words";
  public static final String CONTEXT_WORDS = "context_words";
  /** The example's feature windows; only when the evaluation was given the features. */
  public static final String WINDOWS = "windows";

  /** The columns of the CSV copy: no texts (questions, contexts and answers stay in Parquet). */
  private static final List<String> CSV_COLUMNS = List.of(ID, TITLE, HAS_ANSWER, EXACT, F1, QUESTION_WORD,
      ANSWER_WORDS, CONTEXT_WORDS);

  private ScoresTable() {}

  /** Writes {@code scores} at {@code path} (Parquet) and {@code path_csv}; returns the table read back. */
  public static Dataset<Row> write(SparkSession spark, Dataset<Row> scores, String path) {
    scores.write().parquet(path);
    Dataset<Row> written = spark.read().parquet(path);
    List<String> columns = new ArrayList<>(CSV_COLUMNS);
    if (List.of(written.columns()).contains(WINDOWS)) {
      columns.add(WINDOWS);
    }
    written.selectExpr(columns.toArray(String[]::new)).write().option("header", true).csv(path + "_csv");
    return written;
  }
}
