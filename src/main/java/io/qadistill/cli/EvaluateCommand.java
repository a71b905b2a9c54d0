package io.qadistill.cli;

import io.qadistill.eval.EvaluateJob;
import io.qadistill.eval.SquadVersion;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qadistill evaluate}: wires options into {@link EvaluateJob}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Scores predictions as the official SQuAD scripts do; writes per-example scores (Parquet), "
        + "summary.json and report.html.")
final class EvaluateCommand extends SparkCommand {
  @Option(names = "--examples", required = true, description = "Examples table (Parquet).")
  String examples;

  @Option(names = "--predictions", required = true,
      description = "Predictions: Parquet table (id, prediction_text[, null_odds]) or an official predictions.json.")
  String predictions;

  @Option(names = "--null-odds", description = "null_odds.json for a predictions.json (v2.0 --na-prob-file).")
  String nullOdds;

  @Option(names = "--compare", description = "A second model's predictions to compare with (same forms).")
  String compare;

  @Option(names = "--compare-null-odds", description = "null_odds.json for --compare.")
  String compareNullOdds;

  @Option(names = "--features", description = "Features table (Parquet), for the windows-per-example breakdown.")
  String features;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the output goes (replaced).")
  String output;

  @Option(names = "--squad-version", converter = SquadVersionConverter.class,
      description = "SQuAD version: v1.1 or v2.0; default: v2.0 when some example has no answer.")
  SquadVersion version;

  @Option(names = "--na-prob-thresh", defaultValue = "" + EvaluateJob.Config.NA_PROB_THRESHOLD,
      description = "v2.0: null odds above this predict no answer, as the script's option (default ${DEFAULT-VALUE}).")
  double naProbThreshold;

  @Option(names = "--model-name", defaultValue = EvaluateJob.Config.MODEL_NAME, description = "Label of --predictions in the report.")
  String modelName;

  @Option(names = "--compare-name", defaultValue = EvaluateJob.Config.COMPARE_NAME, description = "Label of --compare.")
  String compareName;

  @Override
  Object run(SparkSession spark) {
    return new EvaluateJob(new EvaluateJob.Config(examples, predictions, nullOdds, compare, compareNullOdds,
        features, output, version, naProbThreshold, modelName,
        compareName)).run(spark);
  }
}
