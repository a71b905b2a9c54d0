package io.qadistill.eval;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * The definitions of {@link SquadMetrics} as Spark SQL expressions, so that scoring millions of predictions is a
 * projection evaluated by generated code, with no UDF: {@code lower}, {@code translate} (ASCII punctuation),
 * {@code regexp_replace} (articles), {@code split} + {@code filter} (Python's {@code str.split()}), and
 * higher-order functions for the token-overlap count and the maximum over gold answers.
 */
public final class MetricColumns {
  private MetricColumns() {}

  /** {@code normalize_answer(text).split()} as an {@code array<string>}; null stays null. */
  public static Column tokens(Column text) {
    Column noPunctuation = translate(lower(text), SquadMetrics.PUNCTUATION, "");
    Column noArticles = regexp_replace(noPunctuation, SquadMetrics.ARTICLES_REGEX, " ");
    // split() keeps the empty strings before a leading and after a trailing separator; str.split() does not.
    return filter(split(noArticles, SquadMetrics.WHITESPACE_CLASS + "+"), t -> t.notEqual(""));
  }

  /**
   * The gold answers' token lists ({@link SquadMetrics#goldTokens}): all answers for v1.1; for v2.0 those that
   * do not normalise to "", or [[]] when none is left.
   */
  public static Column goldTokens(Column answerTexts, SquadVersion version) {
    Column all = transform(coalesce(answerTexts, array().cast("array<string>")), a -> tokens(a));
    if (version == SquadVersion.V1_1) {
      return all;
    }
    Column kept = filter(all, t -> size(t).gt(0));
    return when(size(kept).equalTo(0), array(array().cast("array<string>"))).otherwise(kept);
  }

  /** {@code sum((Counter(a) & Counter(b)).values())}: per distinct token, the smaller of its two counts. */
  static Column overlap(Column a, Column b) {
    return aggregate(array_distinct(a), lit(0), (acc, t) -> acc.plus(least(
        size(filter(a, x -> x.equalTo(t))), size(filter(b, x -> x.equalTo(t))))));
  }

  /** Token F1 of two token arrays, as {@link SquadMetrics#f1}. */
  static Column f1(Column prediction, Column gold, SquadVersion version) {
    Column same = overlap(prediction, gold);
    Column precision = same.cast(DataTypes.DoubleType).divide(size(prediction));
    Column recall = same.cast(DataTypes.DoubleType).divide(size(gold));
    Column byOverlap = when(same.equalTo(0), lit(0.0))
        .otherwise(lit(2.0).multiply(precision).multiply(recall).divide(precision.plus(recall)));
    if (version == SquadVersion.V1_1) {
      return byOverlap;
    }
    return when(size(prediction).equalTo(0).or(size(gold).equalTo(0)),
        when(prediction.equalTo(gold), lit(1.0)).otherwise(lit(0.0)))
        .otherwise(byOverlap);
  }

  /** EM (0.0 or 1.0) of a prediction's tokens against gold token lists: equal normalised strings. */
  public static Column exact(Column predictionTokens, Column goldTokens) {
    return when(array_contains(goldTokens, predictionTokens), lit(1.0)).otherwise(lit(0.0));
  }

  /** The best F1 over the gold token lists; 0.0 when there are none. */
  public static Column maxF1(Column predictionTokens, Column goldTokens, SquadVersion version) {
    return coalesce(array_max(transform(goldTokens, g -> f1(predictionTokens, g, version))), lit(0.0));
  }
}
