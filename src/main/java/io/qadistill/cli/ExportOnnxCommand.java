package io.qadistill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.teacher.TeacherFingerprint;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qadistill export-onnx --model DIR [--out DIR] [--int8]}: a model directory → model.onnx (and
 * model.int8.onnx). Runs on the local JVM only (nothing here is distributed), so it does not extend SparkCommand.
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
    description = "Exports a model directory to ONNX for ONNX Runtime: model.onnx (float32) and, with --int8, "
        + "model.int8.onnx (int8 weights in the encoder's matrix products), each with a .sha256 file beside it.")
final class ExportOnnxCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The model directory (config.json, model.safetensors, tokenizer.json).")
  Path model;

  @Option(names = "--out", paramLabel = "DIR", description = "Where the .onnx files go; default: the model directory.")
  Path out;

  @Option(names = "--int8", description = "Also write model.int8.onnx.")
  boolean int8;

  @Override
  public Integer call() throws Exception {
    OnnxExport.Result result = OnnxExport.run(new OnnxExport.Config(model, out, int8,
        () -> TeacherFingerprint.of(new Configuration(), model.toAbsolutePath().toString())));
    System.out.println(JSON.writeValueAsString(result));
    return 0;
  }
}
