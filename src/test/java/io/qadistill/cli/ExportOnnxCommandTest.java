package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.MainProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export-onnx: from the command line, the graphs of a model directory; what cannot be exported is an error saying
 * why (the command exits 2 on it, as on every {@link UsageException}).
 */
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
    Process p = MainProcess.start(dir, "export-onnx", "--master", "local[1]", "--model", model.toString(), "--int8");
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("finished in 3 minutes").isTrue();
    assertThat(p.exitValue()).as("exit status; stderr:%n%s", MainProcess.stderr(dir)).isZero();
    JsonNode result = new ObjectMapper().readTree(dir.resolve("stdout.txt").toFile());
    assertThat(result.path("graphs")).hasSize(2);
    assertThat(result.path("graphs").path(0).path("file").asText()).isEqualTo(model.resolve("model.onnx").toString());
    assertThat(model.resolve("model.int8.onnx")).exists();
    assertThat(model.resolve("model.int8.onnx.sha256")).exists();
    // the stage's record beside the graphs; the directory's own _provenance.json is the model's
    assertThat(new ObjectMapper().readTree(model.resolve(OnnxExport.PROVENANCE).toFile()).path("job").asText())
        .isEqualTo("export-onnx");
    assertThat(model.resolve("_provenance.json")).doesNotExist();
    assertThat(Files.list(model).map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(".staging"));
    try (OnnxQaSession session = OnnxQaSession.open(model.resolve("model.onnx"), 1)) {
      float[] start = session.score(ids, types).get(0).start();
      for (int i = 0; i < start.length; i++) {
        assertThat(start[i]).isCloseTo(expected.get(0).start()[i], org.assertj.core.api.Assertions.within(1e-4f));
      }
    }
  }

  @Test
  void whatIsNotAModelDirectoryIsAnErrorNamingIt() throws Exception {
    Path pt = Files.write(dir.resolve("teacher.pt"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> export(pt)).isInstanceOf(UsageException.class)
        .hasMessageContainingAll(pt + " is a file, not a model directory", "TorchScript");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("config.json"), "{}");
    assertThatThrownBy(() -> export(empty)).isInstanceOf(UsageException.class)
        .hasMessageContainingAll("cannot export " + empty, "has no model.safetensors");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> export(missing)).isInstanceOf(UsageException.class)
        .hasMessageContaining(missing.toString());
    assertThat(missing).doesNotExist();
  }

  private static void export(Path model) {
    new OnnxExport(new OnnxExport.Config(model, null, false)).run(LocalSpark.get());
  }
}
