package io.qadistill.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.Tables;
import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.squad.ExamplesTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code evaluate} stage: examples + predictions → per-example scores (Parquet), the official summary
 * (JSON) and an HTML report; optionally a second model's predictions to compare with.
 *
 * <p>Writes into {@code output}: {@code scores/} (Parquet, {@link ScoresTable}), {@code summary.json} (the
 * official script's keys), {@code report.html}, and for a second model {@code compare_scores/} and {@code compare_summary.json}. Each
 * scores table is also written as CSV ({@code scores_csv/}, {@code compare_scores_csv/}: the id and the columns the
 * report groups by, one header per part file) and the measured models as {@code models.json}, for notebooks and
 * spreadsheets that have no Parquet reader.
 * Cost: one join and one projection per model, written once; the summary and the breakdowns are small
 * aggregations over the written scores; v2.0 with null odds adds one sort of the scored questions in one task.
 *
 * @param config what to evaluate
 * @param measured the models compared ({@code name → model directory}), whose size and speed the report shows,
 *     measured side by side on the first windows of {@code config.features()} ({@link ModelFacts}); empty: no such
 *     section. Not part of {@link Config}: speeds are measurements, and the configuration (in the provenance) says
 *     what was asked for
 * @param runtime what runs the measured models ({@link ScoringRuntime}; the report names what ran each)
 * @param int8 the measured models' int8 ONNX graphs
 */
public record EvaluateJob(EvaluateJob.Config config, Map<String, String> measured, ScoringRuntime runtime,
    boolean int8) implements Stage<EvaluateJob.Result> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param examples examples table (Parquet)
   * @param predictions predictions: Parquet table, or an official predictions.json
   * @param nullOdds optional null_odds.json for a predictions.json (the v2.0 script's --na-prob-file)
   * @param comparePredictions optional second model's predictions (same forms)
   * @param compareNullOdds optional null_odds.json for those
   * @param features optional features table, for the windows-per-example breakdown
   * @param output output directory
   * @param version SQuAD version, or null to detect it from the examples (v2.0 when any has no answer)
   * @param naProbThreshold the v2.0 script's --na-prob-thresh (default 1.0)
   * @param model label of the predictions in the report
   * @param compareModel label of the second model
   */
  public record Config(
      String examples, String predictions, String nullOdds, String comparePredictions, String compareNullOdds,
      String features, String output, SquadVersion version, double naProbThreshold, String model,
      String compareModel) {
    public static final double NA_PROB_THRESHOLD = 1.0;
    public static final String MODEL_NAME = "model";
    public static final String COMPARE_NAME = "other model";

    public Config {
      require("examples", examples);
      require("predictions", predictions);
      require("output", output);
      if (!Double.isFinite(naProbThreshold)) {
        throw new UsageException("na-prob threshold must be a finite number, got " + naProbThreshold);
      }
      if (compareNullOdds != null && comparePredictions == null) {
        throw new UsageException("compare null odds " + compareNullOdds + " given without compare predictions");
      }
      model = model == null || model.isBlank() ? MODEL_NAME : model;
      compareModel = compareModel == null || compareModel.isBlank() ? COMPARE_NAME : compareModel;
    }

    /** Defaults: version detected, threshold 1.0, labels "model" and "other model"; no comparison, no features. */
    public static Config of(String examples, String predictions, String output) {
      return new Config(examples, predictions, null, null, null, null, output, null, NA_PROB_THRESHOLD, null, null);
    }

    private static void require(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new UsageException(name + " path is required");
      }
    }
  }

  /** What was written, the version used, the official summaries (second null without comparison). */
  public record Result(
      String version, long examples, Map<String, Object> summary, Map<String, Object> compareSummary,
      String scores, String summaryJson, String report) {}

  public EvaluateJob {
    measured = Collections.unmodifiableMap(new LinkedHashMap<>(measured));
    if (!measured.isEmpty() && config.features() == null) {
      throw new UsageException("measuring the models' speed needs the features table: give --features");
    }
  }

  public EvaluateJob(Config config) {
    this(config, Map.of(), ScoringRuntime.DEFAULT, false);
  }

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public List<String> inputs() {
    List<String> inputs = new ArrayList<>(Arrays.asList(config.examples(), config.predictions()));
    for (String optional : new String[] {config.nullOdds(), config.comparePredictions(), config.compareNullOdds(),
        config.features()}) {
      if (optional != null) {
        inputs.add(optional);
      }
    }
    return inputs;
  }

  @Override
  public List<String> outputs() {
    return List.of(config.output());
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    String output = run.staging(config.output());
    Dataset<Row> examples = readExamples(spark);
    SquadVersion version = config.version() != null ? config.version() : SquadEvaluation.detectVersion(examples);
    Dataset<Row> windows = config.features() == null ? null
        : FeaturesTable.read(spark, config.features(), FeaturesTable.EXAMPLE_ID)
            .groupBy(col(FeaturesTable.EXAMPLE_ID).as(ScoresTable.ID))
            .agg(count(lit(1)).as(ScoresTable.WINDOWS));

    Dataset<Row> scores = score(spark, examples, windows, config.predictions(), config.nullOdds(), version,
        new Path(output, "scores").toString());
    Map<String, Object> summary = SquadEvaluation.summary(scores, version);
    writeText(spark, new Path(output, "summary.json"), json(summary));

    ReportData.Comparison comparison = null;
    Map<String, Object> compareSummary = null;
    if (config.comparePredictions() != null) {
      Dataset<Row> other = score(spark, examples, windows, config.comparePredictions(), config.compareNullOdds(),
          version, new Path(output, "compare_scores").toString());
      compareSummary = SquadEvaluation.summary(other, version);
      writeText(spark, new Path(output, "compare_summary.json"), json(compareSummary));
      comparison = EvalReport.compare(scores, other, config.model(), config.compareModel(), compareSummary,
          version);
    }

    List<ModelFacts> models = measured.isEmpty() ? List.of()
        : ModelFacts.measure(spark, measured, config.features(), runtime, int8);
    ReportData data = new ReportData(config.model(), version, summary, EvalReport.breakdowns(scores, version),
        EvalReport.f1Histogram(scores), EvalReport.worstArticles(scores, EvalReport.WORST_ARTICLES), comparison,
        models, inputs(), Instant.now().toString());
    writeText(spark, new Path(output, "report.html"), HtmlReport.render(data));
    if (!models.isEmpty()) {
      writeText(spark, new Path(output, "models.json"), json(models));
    }
    return new Result(version.label(), scores.count(), summary, compareSummary,
        new Path(config.output(), "scores").toString(), new Path(config.output(), "summary.json").toString(),
        new Path(config.output(), "report.html").toString());
  }

  private Dataset<Row> readExamples(SparkSession spark) {
    return Tables.read(spark, config.examples(), "examples", "--examples the --out directory of a 'read' run",
        ExamplesTable.ID, ExamplesTable.TITLE, ExamplesTable.CONTEXT, ExamplesTable.QUESTION,
        ExamplesTable.ANSWERS);
  }

  /** Scores one model's predictions, writes them to {@code path} and returns the table read back. */
  private Dataset<Row> score(SparkSession spark, Dataset<Row> examples, Dataset<Row> windows, String predictions,
      String nullOdds, SquadVersion version, String path) {
    Dataset<Row> scores = SquadEvaluation.scores(examples, PredictionsTable.read(spark, predictions, nullOdds),
        version, config.naProbThreshold());
    if (windows != null) {
      scores = scores.join(windows, new String[] {ScoresTable.ID}, "left");
    }
    return ScoresTable.write(spark, scores, path);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeText(SparkSession spark, Path path, String text) {
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }
}
