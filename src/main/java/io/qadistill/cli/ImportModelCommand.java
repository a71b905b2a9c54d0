package io.qadistill.cli;

import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qadistill import-model --onnx PATH|classpath --out DIR}: wires options into {@link OnnxImport}. */
@Command(name = "import-model", mixinStandardHelpOptions = true,
    description = "Turns a BERT encoder exported to ONNX into a model directory (config.json, model.safetensors, "
        + "tokenizer.json) with a freshly initialised question-answering head.")
final class ImportModelCommand extends SparkCommand {
  @Option(names = "--onnx", required = true,
      description = "The .onnx file, or 'classpath' for the bundled all-MiniLM-L6-v2.")
  String onnx;

  @Option(names = "--out", required = true, description = "The model directory to write (replaced).")
  Path out;

  @Option(names = "--tokenizer",
      description = "tokenizer.json to copy; default: the bundled one for 'classpath', else tokenizer.json beside "
          + "the ONNX file.")
  Path tokenizer;

  @Option(names = "--seed", defaultValue = "" + ModelDirectory.DEFAULT_HEAD_SEED,
      description = "Seed of the new question-answering head (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  Object run(SparkSession spark) {
    return new OnnxImport(new OnnxImport.Config(onnx, out, tokenizer, seed)).run(spark);
  }
}
