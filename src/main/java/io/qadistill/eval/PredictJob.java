package io.qadistill.eval;

import io.qadistill.common.Provenance;
import io.qadistill.common.UsageException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code predict} stage from a logits table: examples + features + logits → decoded predictions
 * ({@link SpanDecoding}), written as {@code predictions/} (Parquet: id, prediction_text, null_odds, nbest),
 * {@code predictions.json} and, for SQuAD v2.0, {@code null_odds.json}. Running a model directory over the
 * features to make the logits is the model stage's part; this job takes its output table.
 *
 * <p>Cost: a join of features and logits, one shuffle by example, one join with the contexts; the JSON files
 * stream through the driver once (the official format is one JSON object per file).
 */
public final class PredictJob {
  /**
   * @param examples examples table (Parquet)
   * @param features features table (Parquet)
   * @param logits logits table (Parquet; example_id, window, start_logits, end_logits)
   * @param output output directory
   * @param version SQuAD version, or null to detect it from the examples (v2.0 decodes with the null answer)
   * @param nBestSize HF's n_best_size (20)
   * @param maxAnswerLength HF's max_answer_length in tokens (30)
   * @param nullScoreDiffThreshold HF's null_score_diff_threshold (0.0)
   */
  public record Config(String examples, String features, String logits, String output, SquadVersion version,
      int nBestSize, int maxAnswerLength, double nullScoreDiffThreshold) {
    public Config {
      for (String[] p : new String[][] {{"examples", examples}, {"features", features}, {"logits", logits},
          {"output", output}}) {
        if (p[1] == null || p[1].isBlank()) {
          throw new UsageException(p[0] + " path is required");
        }
      }
      new SpanDecoder.Config(nBestSize, maxAnswerLength, false, nullScoreDiffThreshold);
    }

    /** HF's defaults: version detected, n-best 20, at most 30 tokens, threshold 0. */
    public static Config of(String examples, String features, String logits, String output) {
      return new Config(examples, features, logits, output, null, 20, 30, 0.0);
    }
  }

  /** Paths written; {@code nullOdds} null for v1.1. */
  public record Result(String version, long predictions, String table, String predictionsJson, String nullOdds) {}

  private final Config config;

  public PredictJob(Config config) {
    this.config = config;
  }

  public Result run(SparkSession spark) {
    spark.sparkContext().setJobGroup("predict", "decode " + config.logits(), false);
    Dataset<Row> examples = spark.read().parquet(config.examples());
    SquadVersion version = config.version() != null ? config.version() : SquadEvaluation.detectVersion(examples);
    SpanDecoder.Config decoding = new SpanDecoder.Config(config.nBestSize(), config.maxAnswerLength(),
        version == SquadVersion.V2_0, config.nullScoreDiffThreshold());
    Dataset<Row> predictions = SpanDecoding.decode(examples, spark.read().parquet(config.features()),
        spark.read().parquet(config.logits()), decoding);
    String table = new Path(config.output(), "predictions").toString();
    predictions.write().mode(SaveMode.Overwrite).parquet(table);
    Dataset<Row> written = spark.read().parquet(table);
    boolean odds = PredictionFiles.writeJson(spark, written, config.output());
    Provenance.of(spark, "predict", config, List.of(config.examples(), config.features(), config.logits()))
        .writeInto(spark, config.output());
    return new Result(version.label(), written.count(), table,
        new Path(config.output(), "predictions.json").toString(),
        odds ? new Path(config.output(), "null_odds.json").toString() : null);
  }
}
