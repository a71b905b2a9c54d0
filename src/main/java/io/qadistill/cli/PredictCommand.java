package io.qadistill.cli;

import io.qadistill.eval.PredictJob;
import io.qadistill.eval.SpanDecoder;
import io.qadistill.eval.SquadVersion;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qadistill predict}: wires options into {@link PredictJob}. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Runs a model directory over the features (or takes a logits table) and decodes answer spans as "
        + "Hugging Face's postprocess_qa_predictions; writes logits and predictions (Parquet), predictions.json and "
        + "null_odds.json.")
final class PredictCommand extends SparkCommand {
  @Option(names = "--examples", required = true, description = "Examples table (Parquet).")
  String examples;

  @Option(names = "--features", required = true, description = "Features table (Parquet).")
  String features;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** What the logits come from: exactly one of the two. */
  static final class Source {
    @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, "
        + "tokenizer.json), at the same local path on every executor.")
    String model;

    @Option(names = "--logits", required = true, description = "Instead of --model: a logits table (Parquet) "
        + "made elsewhere, e.g. a teacher's.")
    String logits;
  }

  @Option(names = "--teacher", paramLabel = "FINGERPRINT",
      description = "With --logits: whose logits to decode when the table holds several teachers'.")
  String teacher;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the output goes (replaced).")
  String output;

  @Option(names = "--squad-version", converter = SquadVersionConverter.class,
      description = "SQuAD version: v1.1 or v2.0 (decode the null answer); default: v2.0 when some example has no "
          + "answer.")
  SquadVersion version;

  @Option(names = "--n-best-size", defaultValue = "" + SpanDecoder.Config.N_BEST_SIZE,
      description = "Candidates kept (default ${DEFAULT-VALUE}).")
  int nBestSize;

  @Option(names = "--max-answer-length", defaultValue = "" + SpanDecoder.Config.MAX_ANSWER_LENGTH,
      description = "Longest answer in tokens (default ${DEFAULT-VALUE}).")
  int maxAnswerLength;

  @Option(names = "--null-score-diff-threshold", defaultValue = "0.0",
      description = "v2.0: predict no answer when null score - best span score exceeds this (default ${DEFAULT-VALUE}).")
  double nullScoreDiffThreshold;

  @Mixin ScoringOptions scoring;

  @Override
  Object run(SparkSession spark) {
    return new PredictJob(new PredictJob.Config(examples, features, source.model, source.logits, teacher,
        output, version, nBestSize, maxAnswerLength, nullScoreDiffThreshold, scoring.runtime, scoring.int8))
        .run(spark);
  }
}
