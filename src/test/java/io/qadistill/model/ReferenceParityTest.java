package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.SystemPython;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward parity of every family against an implementation that is not ours: src/test/resources/reference/
 * qa_forward.py, a numpy forward pass written from transformers' modeling_bert.py, modeling_distilbert.py and
 * modeling_roberta.py (float64, each window alone and unpadded), reads the model directory our Java saved and
 * scores the same 40 real dev-v1.1 windows; our scorer runs them batched with padding. Start and end logits must
 * agree within 1e-4. Each model is small (2 layers, hidden 32) with random weights, biases and LayerNorm parameters
 * drawn wide, so that every parameter moves the logits.
 *
 * <p>Needs the system's Python with numpy (Debian's python3-numpy; .ci/run installs it): skipped where it is missing,
 * except under CI=true, where it fails ({@link SystemPython}).
 */
class ReferenceParityTest {
  private static final int WINDOWS = 40;
  private static final double TOLERANCE = 1e-4;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static List<int[]> ids;
  private static List<int[]> types;

  @BeforeAll
  static void windows() {
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.devV11(), WINDOWS);
    ids = windows.stream().map(SquadWindows.Window::inputIds).toList();
    types = windows.stream().map(SquadWindows.Window::tokenTypeIds).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bert", "distilbert", "roberta", "xlm-roberta"})
  void logitsMatchTheNumpyReference(String modelType) throws Exception {
    SystemPython.require("python3-numpy", "numpy");
    Path model = save(config(modelType), dir.resolve(modelType));
    Path windows = dir.resolve(modelType + "-windows.json");
    JSON.writeValue(windows.toFile(), Map.of("input_ids", ids, "token_type_ids", types));
    Path out = dir.resolve(modelType + "-reference.json");
    Path script = Path.of(ReferenceParityTest.class.getResource("/reference/qa_forward.py").toURI());
    Process p = SystemPython.command(script.toString(), model.toString(), windows.toString(), out.toString())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the reference finishes").isTrue();
    assertThat(p.exitValue()).as("qa_forward.py exit status; it printed:%n%s", log).isZero();
    JsonNode reference = JSON.readTree(out.toFile());

    List<QaScorer.Logits> ours;
    QaScorer.Options small = new QaScorer.Options(2000, 8); // several batches, most rows padded
    assertThat(small.batches(ids)).hasSizeGreaterThan(4);
    try (QaModel loaded = QaModel.load(model)) {
      assertThat(loaded.config().modelType()).isEqualTo(modelType);
      ours = loaded.score(ids, types, small);
    }
    double max = 0;
    double largest = 0;
    for (int w = 0; w < WINDOWS; w++) {
      for (String side : List.of("start_logits", "end_logits")) {
        float[] mine = side.startsWith("start") ? ours.get(w).start() : ours.get(w).end();
        JsonNode theirs = reference.get(side).get(w);
        assertThat(mine).hasSize(theirs.size());
        for (int t = 0; t < mine.length; t++) {
          max = Math.max(max, Math.abs(mine[t] - theirs.get(t).asDouble()));
          largest = Math.max(largest, Math.abs(theirs.get(t).asDouble()));
        }
      }
    }
    System.out.printf("%s: max |ours - numpy reference| = %.3g over %d windows (largest logit %.3g)%n", modelType,
        max, WINDOWS, largest);
    assertThat(largest).as("logits far from 0, so that the comparison means something").isGreaterThan(1);
    assertThat(max).as("max abs difference of the start/end logits from the reference").isLessThanOrEqualTo(TOLERANCE);
  }

  /** 2 layers, hidden 32, 4 heads; the bert-base-uncased vocabulary that the windows come from. */
  private static ModelConfig config(String modelType) {
    ModelConfig bert = ModelConfig.bert(30522, 32, 2, 4, 64, 512, 2).withDropout(0, 0);
    return switch (modelType) {
      case "distilbert" -> bert.as("distilbert");
      case "bert" -> bert;
      // RoBERTa's layout: positions after the padding id 1 (514 for 512 tokens), one token type, eps 1e-5
      default -> new ModelConfig(modelType, 30522, 32, 2, 4, 64, "gelu", 0, 0, 514, 1, 1e-5, 0.02, 1);
    };
  }

  /** A model of {@code config} with every value drawn from normal(0, 0.3) (LayerNorm weights around 1). */
  static Path save(ModelConfig config, Path to) throws IOException {
    byte[] tokenizer;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      tokenizer = in.readAllBytes();
    }
    SplittableRandom random = new SplittableRandom(config.modelType().hashCode());
    try (QaModel model = QaModel.initialize(config, tokenizer, 1)) {
      model.shapes().forEach((name, shape) -> {
        float[] v = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        boolean norm = name.toLowerCase(java.util.Locale.ROOT).contains("norm.weight");
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((norm ? 1 : 0) + 0.3 * (random.nextDouble() * 2 - 1) * Math.sqrt(3));
        }
        model.set(name, v);
      });
      model.save(to);
    }
    return to;
  }
}
