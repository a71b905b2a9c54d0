package io.qadistill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qadistill.model.OnnxImport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qadistill import-model --onnx PATH|classpath --out DIR}: an ONNX BERT encoder → a model directory.
 * Runs on the local JVM only (no Spark session: nothing here is distributed), so it does not extend SparkCommand.
 */
@Command(name = "import-model", mixinStandardHelpOptions = true,
    description = "Turns a BERT encoder exported to ONNX into a model directory (config.json, model.safetensors, "
        + "tokenizer.json) with a freshly initialised question-answering head.")
final class ImportModelCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--onnx", required = true,
      description = "The .onnx file, or 'classpath' for the bundled all-MiniLM-L6-v2.")
  String onnx;

  @Option(names = "--out", required = true, description = "The model directory to write.")
  Path out;

  @Option(names = "--tokenizer",
      description = "tokenizer.json to copy; default: the bundled one for 'classpath', else tokenizer.json beside "
          + "the ONNX file.")
  Path tokenizer;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the new question-answering head (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    OnnxImport.Result result = OnnxImport.run(new OnnxImport.Config(onnx, out, tokenizer, seed));
    System.out.println(JSON.writeValueAsString(result));
    return 0;
  }
}
