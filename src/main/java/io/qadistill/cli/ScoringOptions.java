package io.qadistill.cli;

import io.qadistill.model.ScoringRuntime;
import picocli.CommandLine.Option;

/** How the commands that score windows run the model (a picocli mixin). */
final class ScoringOptions {
  @Option(names = "--runtime", converter = ScoringRuntimeConverter.class, paramLabel = "RUNTIME",
      description = "What scores the windows: auto, onnx or pytorch (default: ${DEFAULT-VALUE}). auto: ONNX "
          + "Runtime on CPU tasks for a model directory, PyTorch on GPU tasks and for a TorchScript .pt file. onnx: "
          + "the directory's model.onnx, made on the driver when missing or older than the weights, and kept there.")
  ScoringRuntime runtime = ScoringRuntime.DEFAULT;

  @Option(names = "--int8", description = "Score with the int8 graph, model.int8.onnx (ONNX Runtime only).")
  boolean int8;
}
