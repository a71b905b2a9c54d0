package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.QaScorer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not a question-answering graph ONNX Runtime can run: a clear error naming the file, no crash. */
class OnnxQaSessionTest {
  @TempDir static Path dir;
  private static Path good;

  @BeforeAll
  static void exportSmallModel() {
    good = dir.resolve("model.onnx");
    ModelConfig config = ModelConfig.bert(30522, 32, 2, 2, 64, 512, 2);
    try (QaModel model = QaModel.initialize(config, new byte[0], 5)) {
      OnnxExport.write(OnnxWeights.of(model), QaGraph.Precision.FP32, false, good, Map.of());
    }
  }

  @Test
  void aGoodFileScoresEveryWindowAtItsLength() {
    try (OnnxQaSession session = OnnxQaSession.open(good, 1)) {
      List<QaScorer.Logits> logits = session.score(List.of(new int[] {101, 2054, 102, 2009, 102},
          new int[] {101, 102}), List.of(new int[] {0, 0, 0, 1, 1}, new int[] {0, 0}), QaScorer.Options.DEFAULT);
      assertThat(logits.get(0).start()).hasSize(5);
      assertThat(logits.get(1).end()).hasSize(2);
    }
  }

  /**
   * A JVM whose command line is over 4 KB, as Spark's executors are, opens a session and scores (ONNX Runtime's
   * environment is made on a thread with a large stack, {@link OnnxQaSession#environment}). Made on the main thread
   * instead, the environment killed such JVMs with SIGSEGV on this machine's executors and in a plain child JVM,
   * though not in every run of the test suite, so that side is not asserted here.
   */
  @Test
  void aJvmWithALongCommandLineOpensASession() throws Exception {
    String padding = "-Dpadding=" + "x".repeat(6000);
    Process opened = java(padding, OpenInChild.class.getName(), good.toString());
    String out = new String(opened.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(opened.waitFor()).as("exit status; output:%n%s", out).isZero();
    assertThat(out).contains("scored 5 start logits");
  }

  /** Opens the graph given as its argument and scores one window. */
  static final class OpenInChild {
    public static void main(String[] args) {
      try (OnnxQaSession session = OnnxQaSession.open(Path.of(args[0]), 1)) {
        List<QaScorer.Logits> logits = session.score(List.of(new int[] {101, 2054, 102, 2009, 102}),
            List.of(new int[] {0, 0, 0, 1, 1}), QaScorer.Options.DEFAULT);
        System.out.println("scored " + logits.get(0).start().length + " start logits");
      }
    }
  }

  /** {@code java [jvmOption] mainClass args}, this JVM's classpath in CLASSPATH, stderr into stdout. */
  private static Process java(String jvmOption, String mainClass, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", jvmOption, mainClass));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return pb.start();
  }

  @Test
  void anEncoderWithoutAQuestionAnsweringHeadIsRefused() {
    Path encoder = MiniLmJar.copyOnnx(dir.resolve("all-minilm-l6-v2.onnx"));
    assertThatThrownBy(() -> OnnxQaSession.open(encoder, 1)).isInstanceOf(UsageException.class)
        .hasMessageContaining(encoder.toString())
        .hasMessageContaining("is not a BERT-family question-answering graph")
        .hasMessageContaining("start_logits");
  }

  @Test
  void truncatedOrGarbageFilesAreRefusedNamingTheFile() throws Exception {
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(bytes, bytes.length / 2));
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    Path garbage = Files.write(dir.resolve("garbage.onnx"), noise);
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    for (Path bad : List.of(truncated, garbage, empty)) {
      assertThatThrownBy(() -> OnnxQaSession.open(bad, 1)).as(bad.toString()).isInstanceOf(UsageException.class)
          .hasMessageContaining(bad.toString()).hasMessageContaining("export it again");
    }
    assertThatThrownBy(() -> OnnxQaSession.open(dir.resolve("missing.onnx"), 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("missing.onnx does not exist");
  }
}
