package io.qadistill.cli;

import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qadistill teacher-logits}: features to the teacher's logits (see {@link TeacherLogitsJob}). */
@Command(
    name = "teacher-logits",
    mixinStandardHelpOptions = true,
    description = {
        "Scores feature rows with a teacher: start and end logits per token, for the rows that have no logits of "
            + "this teacher yet (incremental: run it again when the features grew; each run commits atomically "
            + "under DIR/teacher=<fingerprint>/run=<n>/). Rows the teacher cannot take go to "
            + "DIR/_quarantine/ (reason column: null_array, length_mismatch, empty, too_long, "
            + "id_out_of_vocabulary, type_id_out_of_range, padded).",
        "Prints the result record (rows scored, skipped, quarantined, windows/s) as JSON."})
final class TeacherLogitsCommand extends SparkCommand {
  @Option(names = "--features", required = true, paramLabel = "DIR",
      description = "The features table written by 'featurize'; any Hadoop path.")
  String features;

  @Option(names = "--teacher", required = true, paramLabel = "DIR",
      description = "The teacher: a model directory (config.json, model.safetensors, tokenizer.json) or a "
          + "TorchScript .pt file traced from transformers, at a local path every executor can read (a shared "
          + "mount on a cluster).")
  String teacher;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "The logits directory; runs add to it, never replace it.")
  String out;

  @Option(names = "--batch-tokens", defaultValue = "0", paramLabel = "N",
      description = "Padded positions per batch; 0 (default): " + TeacherLogitsConfig.CPU_BATCH_TOKENS
          + " on CPU, " + TeacherLogitsConfig.GPU_BATCH_TOKENS + " on GPU.")
  int batchTokens;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
      description = "Intra-op threads per task on CPU executors (ONNX Runtime's or PyTorch's); 0 (default): "
          + "spark.task.cpus.")
  int threads;

  @Option(names = "--rows-per-task", defaultValue = "" + TeacherLogitsConfig.DEFAULT_ROWS_PER_TASK,
      paramLabel = "N", description = "Feature rows per Spark task (default: ${DEFAULT-VALUE}); raise it on GPUs.")
  int rowsPerTask;

  @Mixin ScoringOptions scoring;

  @Override
  Object run(SparkSession spark) {
    return new TeacherLogitsJob(new TeacherLogitsConfig(features, teacher, out, batchTokens, threads,
        rowsPerTask, scoring.runtime, scoring.int8)).run(spark);
  }
}
