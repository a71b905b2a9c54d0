package io.qadistill.cli;

import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "teacher-logits", mixinStandardHelpOptions = true,
    description = "Score feature rows with a teacher: start and end logits per token, for the rows that do not "
        + "have them yet for this teacher (incremental; each run commits atomically).")
final class TeacherLogitsCommand extends SparkCommand {
  @Option(names = "--features", required = true, description = "The features table written by 'featurize'.")
  String features;

  @Option(names = "--teacher", required = true, description = "The teacher's model directory (config.json, "
      + "model.safetensors, tokenizer.json), at a path every executor can read (a shared mount on a cluster).")
  String teacher;

  @Option(names = "--out", required = true, description = "The logits directory; runs add to it, "
      + "under teacher=<fingerprint>/run=<n>/.")
  String out;

  @Option(names = "--batch-tokens", defaultValue = "0", description = "Padded positions per batch; 0 (default): "
      + TeacherLogitsConfig.CPU_BATCH_TOKENS + " on CPU, " + TeacherLogitsConfig.GPU_BATCH_TOKENS + " on GPU.")
  int batchTokens;

  @Option(names = "--threads", defaultValue = "0",
      description = "PyTorch threads on CPU executors; 0 (default): spark.task.cpus.")
  int threads;

  @Option(names = "--rows-per-task", defaultValue = "" + TeacherLogitsConfig.DEFAULT_ROWS_PER_TASK,
      description = "Feature rows per Spark task (default: ${DEFAULT-VALUE}); raise it on GPUs.")
  int rowsPerTask;

  @Override
  Object run(SparkSession spark) {
    return TeacherLogitsJob.run(spark, new TeacherLogitsConfig(features, teacher, out, batchTokens, threads,
        rowsPerTask));
  }
}
