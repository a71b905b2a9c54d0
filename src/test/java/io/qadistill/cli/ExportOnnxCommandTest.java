package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.onnx.OnnxQaSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-onnx from the command line: the graphs of a model directory; what cannot be exported exits 2, saying why. */
class ExportOnnxCommandTest {
  @TempDir Path dir;

  @Test
  void writesBothGraphsIntoTheModelDirectoryAndTheyScoreLikeTheModel() throws Exception {
    Path model = dir.resolve("model");
    List<int[]> ids = List.of(new int[] {101, 2054, 2003, 102, 2009, 2003, 1037, 3231, 102});
    List<int[]> types = List.of(new int[] {0, 0, 0, 0, 1, 1, 1, 1, 1});
    List<QaScorer.Logits> expected;
    try (QaModel m = QaModel.initialize(ModelConfig.bert(30522, 32, 2, 2, 64, 512, 2),
        "{}".getBytes(StandardCharsets.UTF_8), 3)) {
      m.save(model);
      expected = m.score(ids, types);
    }
    String out = run(0, "export-onnx", "--model", model.toString(), "--int8");
    JsonNode result = new ObjectMapper().readTree(out);
    assertThat(result.path("graphs")).hasSize(2);
    assertThat(result.path("graphs").path(0).path("file").asText()).isEqualTo(model.resolve("model.onnx").toString());
    assertThat(model.resolve("model.int8.onnx")).exists();
    assertThat(model.resolve("model.int8.onnx.sha256")).exists();
    try (OnnxQaSession session = OnnxQaSession.open(model.resolve("model.onnx"), 1)) {
      float[] start = session.score(ids, types).get(0).start();
      for (int i = 0; i < start.length; i++) {
        assertThat(start[i]).isCloseTo(expected.get(0).start()[i], org.assertj.core.api.Assertions.within(1e-4f));
      }
    }
  }

  @Test
  void whatIsNotAModelDirectoryExitsTwoNamingIt() throws Exception {
    Path pt = Files.write(dir.resolve("teacher.pt"), new byte[] {1, 2, 3});
    assertThat(run(2, "export-onnx", "--model", pt.toString())).contains(pt + " is a file, not a model directory",
        "TorchScript");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("config.json"), "{}");
    assertThat(run(2, "export-onnx", "--model", empty.toString())).contains("cannot export " + empty,
        "has no model.safetensors");
    Path missing = dir.resolve("missing");
    assertThat(run(2, "export-onnx", "--model", missing.toString())).contains(missing.toString());
  }

  /** Runs the command line, checks its exit status; returns stdout when it is 0, else stderr. */
  private static String run(int status, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute(args)).as(String.join(" ", args)).isEqualTo(status);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return (status == 0 ? stdout : stderr).toString(StandardCharsets.UTF_8);
  }
}
