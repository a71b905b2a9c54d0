package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TorchScript teacher adapter against our block. The fixture {@code torchscript/tiny-bert-qa.pt} is a real
 * trace: {@link #main} writes the model directory below (a tiny BERT, seeded), and
 * {@code torchscript/trace_bert_qa.py} (BertForQuestionAnswering in plain torch with transformers' names, loading
 * model.safetensors strictly) traced it with Debian's python3-torch 1.13. To make it again:
 * <pre>
 *   java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
 *     io.qadistill.model.TorchScriptQaModelTest /tmp/tiny-bert-qa
 *   python3 src/test/resources/torchscript/trace_bert_qa.py /tmp/tiny-bert-qa src/test/resources/torchscript/tiny-bert-qa.pt
 *   cp /tmp/tiny-bert-qa/config.json src/test/resources/torchscript/
 * </pre>
 */
class TorchScriptQaModelTest {
  /** Larger weights than BERT's initialisation and random biases and LayerNorm parameters, so logits differ. */
  static final ModelConfig TINY = new ModelConfig("bert", 1000, 32, 2, 4, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0.3, 0);
  private static final long SEED = 2026;

  @TempDir Path tmp;

  /** Writes the fixture's model directory to {@code args[0]}. */
  public static void main(String[] args) {
    try (QaModel model = fixtureModel()) {
      ModelDirectory.save(model, Path.of(args[0]));
    }
  }

  static QaModel fixtureModel() {
    QaModel model = QaModel.initialize(TINY, "{}".getBytes(StandardCharsets.UTF_8), SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    model.block().shapes().forEach((name, shape) -> {
      if (name.endsWith(".bias") || name.contains("LayerNorm")) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
          v[i] = (name.endsWith("LayerNorm.weight") ? 1 : 0) + 0.4f * (float) (random.nextDouble() - 0.5);
        }
        model.set(name, v);
      }
    });
    return model;
  }

  @Test
  void tracedTeacherGivesOurBlocksLogitsThroughTheSamePredictor() throws Exception {
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(4);
    for (int r = 0; r < 20; r++) {
      int n = 3 + random.nextInt(TINY.maxPositionEmbeddings() - 2); // 3..64: lengths the trace (9) never saw
      int[] rowIds = new int[n];
      int[] rowTypes = new int[n];
      int question = 1 + random.nextInt(n - 1);
      for (int i = 0; i < n; i++) {
        rowIds[i] = 1 + random.nextInt(TINY.vocabSize() - 1);
        rowTypes[i] = i < question ? 0 : 1;
      }
      ids.add(rowIds);
      types.add(rowTypes);
    }
    QaScorer.Options small = new QaScorer.Options(200, 8); // several batches, most rows padded
    assertThat(small.batches(ids)).hasSizeGreaterThan(3);
    List<QaScorer.Logits> ours;
    List<QaScorer.Logits> traced;
    try (QaModel model = fixtureModel(); QaScorer teacher = QaScorer.load(fixture("tiny-bert-qa.pt"), null)) {
      assertThat(teacher).isInstanceOf(TorchScriptQaModel.class);
      assertThat(teacher.limits().maxLength()).as("from the config.json beside the .pt").isEqualTo(64);
      ours = model.score(ids, types, small);
      traced = teacher.score(ids, types, small);
    }
    double maxDiff = 0;
    double spread = 0;
    for (int r = 0; r < ids.size(); r++) {
      assertThat(traced.get(r).start()).hasSize(ids.get(r).length);
      for (int t = 0; t < ids.get(r).length; t++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours.get(r).start()[t] - traced.get(r).start()[t]));
        maxDiff = Math.max(maxDiff, Math.abs(ours.get(r).end()[t] - traced.get(r).end()[t]));
        spread = Math.max(spread, Math.abs(ours.get(r).start()[t] - ours.get(r).start()[0]));
      }
    }
    System.out.printf("torchscript: max |ours - traced| = %.3g over %d rows (logit spread %.2f)%n", maxDiff,
        ids.size(), spread);
    assertThat(spread).as("logits that differ between tokens, so that agreement means something").isGreaterThan(1);
    assertThat(maxDiff).as("max abs diff of start/end logits, our block vs the traced module").isLessThanOrEqualTo(1e-4);
  }

  @Test
  void aModelDirectoryStillLoadsAsOurBlock() {
    Path dir = tmp.resolve("dir.pt"); // a directory, whatever its name
    try (QaModel model = fixtureModel()) {
      ModelDirectory.save(model, dir);
    }
    try (QaScorer loaded = QaScorer.load(dir, null)) {
      assertThat(loaded).isInstanceOf(QaModel.class);
      assertThat(loaded.limits().maxLength()).isEqualTo(64);
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsNamed() throws Exception {
    Path bogus = tmp.resolve("teacher.pt");
    Files.write(bogus, "not a zip archive".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> QaScorer.load(bogus, null)).isInstanceOf(UsageException.class)
        .hasMessageContaining(bogus + " does not load as TorchScript");
    assertThatThrownBy(() -> QaScorer.load(tmp.resolve("absent.pt"), null)).isInstanceOf(UsageException.class)
        .hasMessageContaining("absent.pt is not a TorchScript file");
  }

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(TorchScriptQaModelTest.class.getResource("/torchscript/" + name).toURI());
  }
}
