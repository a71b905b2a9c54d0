package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxGraph;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.SquadWindows;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported graph of all-MiniLM-L6-v2, imported into a model directory, on 200 real SQuAD dev windows in file
 * order, 8 a batch, padded (ONNX Runtime's API called directly): its fp32 logits are our PyTorch block's within 1e-4,
 * its encoder output is the original ONNX file's within 1e-4, ONNX Runtime fuses what it should, and the int8 graph
 * stays close to the fp32 one.
 */
class OnnxExportTest {
  private static final int WINDOWS = 200;
  private static final int BATCH = 8;
  private static final double TOLERANCE = 1e-4;
  private static final int HIDDEN = 384;

  @TempDir static Path dir;
  private static List<int[]> ids;
  private static List<int[]> types;
  private static Path fp32;
  private static Path int8;
  private static List<QaScorer.Logits> pytorch;
  /** The fp32 export's start and end logits and encoder output, run once for the tests; the int8 export's output. */
  private static Map<String, List<float[]>> exported;
  private static List<float[]> int8Hidden;

  @BeforeAll
  static void export() {
    Path model = dir.resolve("minilm");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, model, null, 7));
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.devV11(), WINDOWS);
    ids = windows.stream().map(SquadWindows.Window::inputIds).toList();
    types = windows.stream().map(SquadWindows.Window::tokenTypeIds).toList();
    fp32 = dir.resolve("model.onnx");
    int8 = dir.resolve("model.int8.onnx");
    try (QaModel m = ModelDirectory.load(model)) {
      EncoderWeights weights = OnnxWeights.of(m);
      OnnxExport.write(weights, QaGraph.Precision.FP32, true, fp32, Map.of());
      OnnxExport.write(weights, QaGraph.Precision.INT8, true, int8, Map.of());
      pytorch = m.score(ids, types);
    }
    try {
      exported = PaddedRuns.run(fp32, ids, types, BATCH, Map.of(QaGraph.START, 1, QaGraph.END, 1, QaGraph.HIDDEN,
          HIDDEN));
      int8Hidden = PaddedRuns.run(int8, ids, types, BATCH, Map.of(QaGraph.HIDDEN, HIDDEN)).get(QaGraph.HIDDEN);
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void fp32LogitsAreOurPyTorchBlocks() throws Exception {
    List<float[]> start = exported.get(QaGraph.START);
    List<float[]> end = exported.get(QaGraph.END);
    double max = 0;
    int padded = 0;
    for (int i = 0; i < WINDOWS; i++) {
      max = Math.max(max, maxAbs(start.get(i), pytorch.get(i).start()));
      max = Math.max(max, maxAbs(end.get(i), pytorch.get(i).end()));
      int batchLongest = ids.subList(i / BATCH * BATCH, Math.min(WINDOWS, i / BATCH * BATCH + BATCH)).stream()
          .mapToInt(r -> r.length).max().orElseThrow();
      padded += ids.get(i).length < batchLongest ? 1 : 0;
    }
    System.out.printf("fp32 export: max |ONNX Runtime - PyTorch block| of the logits = %.3g (%d windows padded)%n",
        max, padded);
    assertThat(padded).as("windows padded in their batch").isGreaterThan(WINDOWS / 2);
    assertThat(max).as("max abs difference of the logits").isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void encoderOutputIsTheOriginalFilesOfTheImportedModel() throws Exception {
    Path original = MiniLmJar.copyOnnx(dir.resolve("original.onnx"));
    List<float[]> theirs = PaddedRuns.run(original, ids, types, BATCH, Map.of("output_0", HIDDEN)).get("output_0");
    List<float[]> ours = exported.get(QaGraph.HIDDEN);
    double max = 0;
    for (int i = 0; i < WINDOWS; i++) {
      max = Math.max(max, maxAbs(ours.get(i), theirs.get(i)));
    }
    System.out.printf("fp32 export: max |ours - original file| of the encoder output = %.3g%n", max);
    assertThat(max).as("max abs difference of the last hidden state").isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void onnxRuntimeRunsTheFusedOperators() throws Exception {
    Map<String, Long> fp32Ops = optimizedOps(fp32);
    Map<String, Long> int8Ops = optimizedOps(int8);
    System.out.println("optimized fp32 graph: " + fp32Ops + "\noptimized int8 graph: " + int8Ops);
    // 6 layers: one attention, two residual LayerNorms, one GELU each; the unfused forms are gone
    assertThat(fp32Ops).containsEntry("Attention", 6L).containsEntry("SkipLayerNormalization", 12L)
        .containsEntry("BiasGelu", 6L).doesNotContainKeys("Softmax", "Erf", "ReduceMean", "QAttention");
    // int8: the attention's projections and the feed-forward input quantized (2 a layer); the feed-forward output
    // (one a layer) and the QA head's two MatMuls stay float
    assertThat(int8Ops).containsEntry("QAttention", 6L).containsEntry("DynamicQuantizeMatMul", 12L)
        .containsEntry("MatMul", 8L).containsEntry("SkipLayerNormalization", 12L).doesNotContainKeys("Attention");
  }

  @Test
  void int8StaysCloseToFp32() throws Exception {
    List<float[]> exact = exported.get(QaGraph.HIDDEN);
    List<float[]> quantized = int8Hidden;
    double worst = 1;
    double sum = 0;
    int tokens = 0;
    for (int i = 0; i < WINDOWS; i++) {
      for (int t = 0; t < ids.get(i).length; t++) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int k = 0; k < HIDDEN; k++) {
          float x = exact.get(i)[t * HIDDEN + k];
          float y = quantized.get(i)[t * HIDDEN + k];
          dot += x * y;
          a += x * x;
          b += y * y;
        }
        double cosine = dot / Math.sqrt(a * b);
        worst = Math.min(worst, cosine);
        sum += cosine;
        tokens++;
      }
    }
    System.out.printf("int8 export: cosine similarity of each token's encoder output to fp32: mean %.5f, min %.5f "
        + "over %d tokens%n", sum / tokens, worst, tokens);
    assertThat(sum / tokens).as("mean cosine similarity to fp32").isGreaterThan(0.99);
    assertThat(worst).as("lowest cosine similarity to fp32").isGreaterThan(0.9);
  }

  private static Map<String, Long> optimizedOps(Path file) throws Exception {
    Path optimized = dir.resolve(file.getFileName() + ".optimized");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizedModelFilePath(optimized.toString());
      OrtEnvironment.getEnvironment().createSession(file.toString(), options).close();
    }
    return OnnxGraph.parse(Files.readAllBytes(optimized)).nodes().stream()
        .collect(Collectors.groupingBy(OnnxGraph.Node::opType, TreeMap::new, Collectors.counting()));
  }

  private static double maxAbs(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
