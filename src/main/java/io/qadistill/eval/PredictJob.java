package io.qadistill.eval;

import io.qadistill.common.ProgressLog;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.Tables;
import io.qadistill.common.TaskCounter;
import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaScorer;
import io.qadistill.model.ScoringModel;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.squad.ExamplesTable;
import io.qadistill.teacher.LogitsTable;
import io.qadistill.teacher.TaskDevice;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code predict} stage: examples + features + a model directory → logits ({@link ModelLogits}, on the
 * executors, one opened model per JVM: by default ONNX Runtime on the directory's graph, made on the driver when
 * missing or stale, see {@link ScoringRuntime}) → decoded predictions ({@link SpanDecoding}). Instead of a model, a
 * logits table made elsewhere (a teacher's) may be given. Writes into {@code output}: {@code logits/} (when a
 * model ran), {@code predictions/} (Parquet: id, prediction_text, null_odds, nbest), {@code predictions.json}
 * and, for SQuAD v2.0, {@code null_odds.json}.
 *
 * <p>Cost: one pass of the model over the features (written once); a join of features and logits, one shuffle
 * by example, one join with the contexts; the JSON files stream through the driver once (the official format is
 * one JSON object per file).
 */
public record PredictJob(PredictJob.Config config) implements Stage<PredictJob.Result> {
  /**
   * @param examples examples table (Parquet)
   * @param features features table (Parquet)
   * @param model model directory (local on every executor), or null when {@code logits} is given
   * @param logits logits table (teacher-logits' layout, or Parquet with {@link LogitsTable#SCHEMA}), or null to run
   *     {@code model}
   * @param teacher whose logits to decode when {@code logits} holds several teachers' (a fingerprint), or null
   * @param output output directory
   * @param version SQuAD version, or null to detect it from the examples (v2.0 decodes with the null answer)
   * @param nBestSize HF's n_best_size (20)
   * @param maxAnswerLength HF's max_answer_length in tokens (30)
   * @param nullScoreDiffThreshold HF's null_score_diff_threshold (0.0)
   * @param runtime what runs {@code model} ({@link ScoringRuntime})
   * @param int8 run {@code model}'s int8 ONNX graph (ONNX Runtime only)
   */
  public record Config(String examples, String features, String model, String logits, String teacher,
      String output, SquadVersion version, int nBestSize, int maxAnswerLength, double nullScoreDiffThreshold,
      ScoringRuntime runtime, boolean int8) {
    public Config {
      for (String[] p : new String[][] {{"examples", examples}, {"features", features}, {"output", output}}) {
        if (p[1] == null || p[1].isBlank()) {
          throw new UsageException(p[0] + " path is required");
        }
      }
      if ((model == null) == (logits == null)) {
        throw new UsageException("give either a model directory or a logits table, not "
            + (model == null ? "neither" : "both (" + model + ", " + logits + ")"));
      }
      new SpanDecoder.Config(nBestSize, maxAnswerLength, false, nullScoreDiffThreshold);
      if (runtime == null) {
        throw new IllegalArgumentException("runtime is null; ScoringRuntime.DEFAULT is the default");
      }
      if (int8 && logits != null) {
        throw new UsageException("--int8 chooses the graph that runs --model; the logits of --logits " + logits
            + " are made already: leave --int8 out");
      }
    }

    /**
     * A model directory run over the features by {@code runtime}; HF's defaults: version detected, n-best 20, 30
     * tokens, 0.
     */
    public static Config ofModel(String examples, String features, String model, String output,
        ScoringRuntime runtime, boolean int8) {
      return new Config(examples, features, model, null, null, output, null, SpanDecoder.Config.N_BEST_SIZE,
          SpanDecoder.Config.MAX_ANSWER_LENGTH, 0.0, runtime, int8);
    }

    /** A logits table made elsewhere (of one teacher, or of {@code teacher} among several); HF's defaults. */
    public static Config ofLogits(String examples, String features, String logits, String teacher, String output) {
      return new Config(examples, features, null, logits, teacher, output, null, SpanDecoder.Config.N_BEST_SIZE,
          SpanDecoder.Config.MAX_ANSWER_LENGTH, 0.0, ScoringRuntime.DEFAULT, false);
    }
  }

  /**
   * Paths written; {@code nullOdds} null for v1.1; {@code logits} the table decoded (written here or given);
   * {@code runtime} what ran the model ({@link ScoringModel#describe}; null when the logits were given).
   */
  public record Result(String version, String runtime, long predictions, String logits, String table,
      String predictionsJson, String nullOdds) {}

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  /** Where a model's logits go in the output, beside the predictions. */
  private static final String LOGITS = "logits";

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public List<String> inputs() {
    return List.of(config.examples(), config.features(), config.model() != null ? config.model() : config.logits());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.output());
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    String output = run.staging(config.output());
    Dataset<Row> examples = Tables.read(spark, config.examples(), "examples",
        "--examples the --out directory of a 'read' run", ExamplesTable.ID, ExamplesTable.CONTEXT,
        ExamplesTable.ANSWERS);
    Dataset<Row> features = FeaturesTable.read(spark, config.features(), FeaturesTable.EXAMPLE_ID,
        FeaturesTable.WINDOW, FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS, FeaturesTable.OFFSET_START,
        FeaturesTable.OFFSET_END);
    SquadVersion version = config.version() != null ? config.version() : SquadEvaluation.detectVersion(examples);
    String logits = config.logits();
    ScoringModel scoring = null;
    if (config.model() != null) {
      ModelLogits.check(config.model());
      scoring = ScoringModel.prepare(java.nio.file.Path.of(config.model()), config.runtime(), config.int8(),
          TaskDevice.gpuTasks(spark.sparkContext().getConf()),
          () -> ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), config.model()));
      logits = new Path(output, LOGITS).toString();
      run.describe("predict: run " + config.model() + " over the features");
      String label = java.nio.file.Path.of(config.model()).toAbsolutePath().normalize().getFileName().toString();
      try (TaskCounter done = TaskCounter.start(spark.sparkContext(), "predict.windows");
           ProgressLog progress = ProgressLog.start("predict", "windows", features.count(), done,
               ProgressLog.interval(PROGRESS_EVERY))) {
        ModelLogits.compute(features, scoring, label, QaScorer.Options.DEFAULT, done.accumulator())
            .write().parquet(logits);
      }
    }
    run.describe("predict: decode " + (config.model() != null ? "the model's logits" : logits));
    SpanDecoder.Config decoding = new SpanDecoder.Config(config.nBestSize(), config.maxAnswerLength(),
        version == SquadVersion.V2_0, config.nullScoreDiffThreshold());
    // one teacher's rows only: another's would put every window into decoding twice
    Dataset<Row> predictions = SpanDecoding.decode(examples, features,
        LogitsTable.readOne(spark, logits, config.model() != null ? null : config.teacher(), "--logits"), decoding);
    PredictionsTable.Written written = PredictionsTable.write(spark, predictions, output);
    // the paths the result names are where the outputs are published
    return new Result(version.label(), scoring == null ? null : scoring.describe(), written.table().count(),
        config.model() != null ? new Path(config.output(), LOGITS).toString() : logits,
        new Path(config.output(), PredictionsTable.TABLE).toString(),
        new Path(config.output(), PredictionsTable.PREDICTIONS_JSON).toString(),
        written.nullOdds() ? new Path(config.output(), PredictionsTable.NULL_ODDS_JSON).toString() : null);
  }
}
