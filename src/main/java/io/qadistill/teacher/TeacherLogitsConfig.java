package io.qadistill.teacher;

import ai.djl.Device;
import io.qadistill.common.UsageException;
import io.qadistill.model.QaScorer;
import io.qadistill.model.ScoringRuntime;
import java.io.Serializable;

/**
 * What teacher-logits reads and writes, and how it batches.
 *
 * @param features the features table written by {@code featurize} (any Hadoop path)
 * @param teacher the teacher's model directory; a local path or {@code file:} URI that every executor can read at
 *     the same place (a shared mount on a cluster: NFS, a distributed file system's FUSE mount, or the same
 *     image on every node)
 * @param out the logits directory; each teacher's rows go under {@code teacher=<fingerprint>/run=<n>/}
 *     (see {@link LogitsTable})
 * @param batchTokens padded positions per batch (rows × the batch's longest row); 0 picks by device:
 *     {@value #CPU_BATCH_TOKENS} on CPU, {@value #GPU_BATCH_TOKENS} on GPU
 * @param threads intra-op threads per task on CPU executors (ONNX Runtime's session, or PyTorch's per task
 *     thread); 0 means the task's cores ({@code spark.task.cpus})
 * @param rowsPerTask feature rows per Spark task: small enough for a steady progress log and cheap retries,
 *     large enough to fill several batches (on GPUs raise it with the batch size)
 * @param runtime what scores ({@link ScoringRuntime}; by default ONNX Runtime on CPU tasks, PyTorch on GPU tasks
 *     and for TorchScript teachers)
 * @param int8 score with the teacher's int8 ONNX graph (ONNX Runtime only)
 */
public record TeacherLogitsConfig(
    String features, String teacher, String out, int batchTokens, int threads, int rowsPerTask,
    ScoringRuntime runtime, boolean int8) implements Serializable {
  public static final int CPU_BATCH_TOKENS = 4096;
  public static final int GPU_BATCH_TOKENS = 32768;
  public static final int DEFAULT_ROWS_PER_TASK = 500;
  /** Rows per batch at most: batchTokens / this, so short rows do not make batches of thousands. */
  static final int MIN_TOKENS_PER_ROW = 64;

  public TeacherLogitsConfig {
    for (String[] p : new String[][] {{"features", features}, {"teacher", teacher}, {"out", out}}) {
      if (p[1] == null || p[1].isBlank()) {
        throw new UsageException("--" + p[0] + " is missing");
      }
    }
    if (teacher.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !teacher.startsWith("file:")) {
      throw new UsageException("teacher " + teacher + ": executors load the teacher from a local path; put the "
          + "model directory on a file system every executor mounts (NFS, the same image) and give that path");
    }
    if (batchTokens < 0) {
      throw new UsageException("batch tokens " + batchTokens + " is negative; use 0 (by device: "
          + CPU_BATCH_TOKENS + " on CPU, " + GPU_BATCH_TOKENS + " on GPU) or a positive number");
    }
    if (threads < 0) {
      throw new UsageException("threads " + threads + " is negative; use 0 (spark.task.cpus) or a positive number");
    }
    if (runtime == null) {
      throw new IllegalArgumentException("runtime is null; TeacherLogitsConfig.defaults has the default");
    }
    if (rowsPerTask < 1) {
      throw new UsageException("rows per task " + rowsPerTask + " must be >= 1 (default "
          + DEFAULT_ROWS_PER_TASK + ")");
    }
  }

  public static TeacherLogitsConfig defaults(String features, String teacher, String out) {
    return new TeacherLogitsConfig(features, teacher, out, 0, 0, DEFAULT_ROWS_PER_TASK, ScoringRuntime.DEFAULT,
        false);
  }

  /** This configuration with another runtime and precision. */
  public TeacherLogitsConfig withScoring(ScoringRuntime runtime, boolean int8) {
    return new TeacherLogitsConfig(features, teacher, out, batchTokens, threads, rowsPerTask, runtime, int8);
  }

  /** Intra-op threads of a task with {@code taskCpus} cores: the configured count, else its cores. */
  public int threads(int taskCpus) {
    return threads > 0 ? threads : taskCpus;
  }

  /** The batching on {@code device}: the configured or the device's token budget, rows capped accordingly. */
  public QaScorer.Options batching(Device device) {
    int tokens = batchTokens > 0 ? batchTokens
        : Device.Type.GPU.equals(device.getDeviceType()) ? GPU_BATCH_TOKENS : CPU_BATCH_TOKENS;
    return new QaScorer.Options(tokens, Math.max(1, tokens / MIN_TOKENS_PER_ROW));
  }
}
