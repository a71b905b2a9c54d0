package io.qadistill.eval;

import java.util.List;
import java.util.Map;

/**
 * What the evaluation report shows, already aggregated (small: a few hundred numbers and at most
 * {@link EvalReport#MAX_DIFFERENCES} questions), so {@link HtmlReport} renders it without Spark.
 *
 * @param model the predictions' label
 * @param summary the official summary of {@code model}
 * @param breakdowns EM/F1 by question word, answer length, …
 * @param f1Histogram how the counted questions' F1 scores are spread
 * @param worstArticles the articles with the lowest F1, worst first
 * @param comparison the second model against the first, or null
 * @param models size and speed of the models compared, when known (the pipeline measures them), else empty
 */
public record ReportData(
    String model,
    SquadVersion version,
    Map<String, Object> summary,
    List<Breakdown> breakdowns,
    Histogram f1Histogram,
    List<Bucket> worstArticles,
    Comparison comparison,
    List<ModelFacts> models,
    List<String> inputs,
    String createdAt) {

  /** EM and F1 (percentages) of the questions that fall in one group; count = questions that count. */
  public record Bucket(String label, long count, double exact, double f1) {}

  /**
   * Questions per F1 bin, bins in display order; {@code exactMatches} of the {@code questions} counted have EM 1.
   */
  public record Histogram(List<String> labels, List<Long> counts, long exactMatches, long questions) {}

  /** One way of grouping the questions, buckets in display order. */
  public record Breakdown(String name, List<Bucket> buckets) {}

  /** A question the two models answer differently. */
  public record Difference(
      String id, String title, String question, String gold, String predictionA, String predictionB,
      double f1A, double f1B) {}

  /**
   * Two models on the questions both predicted: agreement = same normalised prediction; right = EM 1.
   *
   * @param summaryB the official summary of model B
   * @param breakdownsB model B's breakdowns, in the order of model A's
   * @param differences the questions where their F1 differs most, largest difference first
   */
  public record Comparison(
      String modelA, String modelB, Map<String, Object> summaryB, List<Breakdown> breakdownsB, long questions,
      long agree, long bothRight, long onlyA, long onlyB, long neither, double f1A, double f1B,
      List<Difference> differences) {}
}
