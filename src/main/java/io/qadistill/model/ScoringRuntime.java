package io.qadistill.model;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qadistill.common.UsageException;
import io.qadistill.model.onnx.OnnxCache;
import io.qadistill.model.onnx.QaGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The engine that scores windows (teacher-logits, predict, the report's speed figures), as {@code --runtime} names
 * it. The choice is made here only ({@link #resolve}); {@link ScoringModel} carries its outcome to the executors.
 *
 * <p>ONNX Runtime on the project's own graph ({@code model.onnx}, or {@code model.int8.onnx} with {@code --int8})
 * is the CPU runtime: with the same windows and threads it was 1.4 to 1.7 times as fast as our PyTorch block here
 * (docs/benchmarks.md, "Models and runtimes" and "Teacher logits"), and only it has an int8 path. PyTorch stays for
 * GPU tasks (the ONNX Runtime jar is a CPU build) and for TorchScript teachers, which hold a traced program rather
 * than weights by name and so cannot be exported.
 */
public enum ScoringRuntime {
  /** ONNX Runtime where it can run: a model directory, CPU tasks; PyTorch otherwise. */
  AUTO,
  /** ONNX Runtime on the model directory's graph, made on the driver when missing or stale. */
  ONNX,
  /** DJL's PyTorch engine on the weights (or the TorchScript program). */
  PYTORCH;

  public static final ScoringRuntime DEFAULT = AUTO;

  /** The name {@code --runtime} takes: {@code auto}, {@code onnx}, {@code pytorch}. */
  @JsonValue
  public String option() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return option();
  }

  public static ScoringRuntime parse(String value) {
    for (ScoringRuntime r : values()) {
      if (r.option().equals(value)) {
        return r;
      }
    }
    throw new UsageException("--runtime " + value + ": give one of "
        + Arrays.stream(values()).map(ScoringRuntime::option).collect(Collectors.joining(", ")));
  }

  /**
   * The runtime (ONNX or PYTORCH) that scores {@code model} (a model directory or a TorchScript {@code .pt} file)
   * in tasks that are given a GPU ({@code gpuTasks}) or not. AUTO picks ONNX Runtime for a model directory on CPU
   * tasks when its graph is there or can be kept beside the weights (the directory is writable), else PyTorch.
   * {@code int8} (score with the int8 graph) needs ONNX Runtime. Combinations that cannot run are a
   * {@link UsageException} naming the file or the option and what to give instead.
   */
  public ScoringRuntime resolve(Path model, boolean gpuTasks, boolean int8) {
    boolean torchScript = TorchScriptQaModel.isTorchScript(model);
    ScoringRuntime chosen = this != AUTO ? this
        : torchScript || gpuTasks || !graphCanBeKept(model, int8) ? PYTORCH : ONNX;
    if (chosen == ONNX && torchScript) {
      throw new UsageException("--runtime onnx cannot score " + model + ": a TorchScript file holds a traced "
          + "program, not weights by name, so it has no ONNX graph; use --runtime pytorch (or auto), or give the "
          + "model directory it was traced from");
    }
    if (int8 && chosen != ONNX) {
      throw new UsageException("--int8 scores with the int8 ONNX graph, so it needs --runtime onnx; the runtime "
          + "here is pytorch (" + (this == PYTORCH ? "--runtime pytorch"
          : torchScript ? model + " is a TorchScript file, which only PyTorch runs"
          : gpuTasks ? "--runtime auto picks PyTorch when tasks are given GPUs"
          : model + " is not writable and holds no graph yet") + ")");
    }
    return chosen;
  }

  private static boolean graphCanBeKept(Path model, boolean int8) {
    return Files.exists(OnnxCache.file(model, int8 ? QaGraph.Precision.INT8 : QaGraph.Precision.FP32))
        || Files.isWritable(model);
  }
}
