package io.qadistill.cli;

import io.qadistill.model.onnx.OnnxExport;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qadistill export-onnx --model DIR [--out DIR] [--int8]}: wires options into {@link OnnxExport}. */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
    description = "Exports a model directory to ONNX for ONNX Runtime: model.onnx (float32) and, with --int8, "
        + "model.int8.onnx (int8 weights in most of the encoder's matrix products), each with a .sha256 file beside it.")
final class ExportOnnxCommand extends SparkCommand {
  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The model directory (config.json, model.safetensors, tokenizer.json).")
  Path model;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the .onnx files go; default: the model directory.")
  Path out;

  @Option(names = "--int8", description = "Also write model.int8.onnx.")
  boolean int8;

  @Override
  Object run(SparkSession spark) {
    return new OnnxExport(new OnnxExport.Config(model, out, int8)).run(spark);
  }
}
