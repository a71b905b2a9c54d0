package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qadistill.testing.TestData;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our encoder against an independent runtime: all-MiniLM-L6-v2 imported from ONNX into a model directory, loaded
 * back, and run on 200 real SQuAD dev windows batched with padding must give ONNX Runtime's last hidden state on
 * the original ONNX file (each window alone, unpadded) within 1e-4; and padding must not change a real token's
 * output beyond that (the 40 most padded rows, run alone too).
 */
class OnnxParityTest {
  private static final int WINDOWS = 200;
  private static final int BATCH = 8;
  private static final int ALONE = 40;
  private static final double TOLERANCE = 1e-4;

  @TempDir static Path dir;
  private static QaModel model;
  private static List<SquadWindows.Window> windows;
  private static List<int[]> ids;
  private static List<int[]> types;

  @BeforeAll
  static void importModel() {
    OnnxImport.run(new OnnxImport.Config(OnnxImport.CLASSPATH, dir.resolve("minilm"), null, 7));
    model = ModelDirectory.load(dir.resolve("minilm"));
    windows = SquadWindows.first(TestData.devV11(), WINDOWS);
    ids = windows.stream().map(SquadWindows.Window::inputIds).toList();
    types = windows.stream().map(SquadWindows.Window::tokenTypeIds).toList();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void importedConfigIsAllMiniLm() {
    ModelConfig c = model.config();
    assertThat(List.of(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
        c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize()))
        .containsExactly(30522, 384, 6, 12, 1536, 512, 2);
    assertThat(c.hiddenAct()).isEqualTo("gelu");
    assertThat(c.layerNormEps()).isEqualTo(1e-12);
  }

  @Test
  void lastHiddenStateMatchesOnnxRuntimeAndPaddingChangesNothing() throws Exception {
    // the windows vary in length, so batches of 8 in file order pad most rows
    assertThat(windows.stream().mapToInt(SquadWindows.Window::length).distinct().count()).isGreaterThan(20);
    float[][][] batched = new float[WINDOWS][][];
    float[][][] alone = new float[WINDOWS][][];
    try (NDManager m = NDManager.newBaseManager()) {
      for (int from = 0; from < WINDOWS; from += BATCH) {
        int[] rows = IntStream.range(from, Math.min(WINDOWS, from + BATCH)).toArray();
        float[][][] h = hidden(m, rows);
        for (int r = 0; r < rows.length; r++) {
          batched[rows[r]] = h[r];
        }
      }
      // the padding check runs each of the most padded rows alone (all 200 alone would double the test's time)
      for (int i : mostPadded(batched, ALONE)) {
        alone[i] = hidden(m, new int[] {i})[0];
      }
    }
    double maxOrt = 0;
    double maxPad = 0;
    int paddedRows = 0;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (InputStream in = MiniLmJar.open(MiniLmJar.ONNX_RESOURCE);
         OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(in.readAllBytes(), opts)) {
        for (int i = 0; i < WINDOWS; i++) {
          float[][] ort = runOrt(env, session, i);
          int n = windows.get(i).length();
          paddedRows += batched[i].length > n ? 1 : 0;
          for (int t = 0; t < n; t++) {
            for (int k = 0; k < ort[t].length; k++) {
              maxOrt = Math.max(maxOrt, Math.abs(batched[i][t][k] - ort[t][k]));
              if (alone[i] != null) {
                maxPad = Math.max(maxPad, Math.abs(batched[i][t][k] - alone[i][t][k]));
              }
            }
          }
        }
      }
    }
    System.out.printf("parity: max |ours(batched) - ORT| = %.3g, max |batched - alone| = %.3g over the %d most padded "
        + "of %d padded rows%n", maxOrt, maxPad, ALONE, paddedRows);
    assertThat(paddedRows).as("rows that were padded in their batch").isGreaterThan(WINDOWS / 2);
    assertThat(maxOrt).as("max abs diff of the last hidden state against ONNX Runtime").isLessThanOrEqualTo(TOLERANCE);
    assertThat(maxPad).as("max abs diff caused by padding").isLessThanOrEqualTo(TOLERANCE);
  }

  /** The {@code count} rows with the most padding in their batch. */
  private static int[] mostPadded(float[][][] batched, int count) {
    return IntStream.range(0, WINDOWS).boxed()
        .sorted(java.util.Comparator.comparingInt(i -> windows.get(i).length() - batched[i].length))
        .limit(count).mapToInt(Integer::intValue).toArray();
  }

  private static float[][][] hidden(NDManager m, int[] rows) {
    try (NDManager scope = m.newSubManager()) {
      NDList inputs = BatchedScoring.pad(scope, ids, types, rows, 0);
      NDArray h = model.block().forward(new ParameterStore(scope, false), inputs, false).get(2);
      long[] s = h.getShape().getShape();
      float[] flat = h.toFloatArray();
      float[][][] out = new float[(int) s[0]][(int) s[1]][(int) s[2]];
      for (int b = 0; b < s[0]; b++) {
        for (int t = 0; t < s[1]; t++) {
          System.arraycopy(flat, (int) ((b * s[1] + t) * s[2]), out[b][t], 0, (int) s[2]);
        }
      }
      return out;
    }
  }

  private static float[][] runOrt(OrtEnvironment env, OrtSession session, int row) throws Exception {
    int n = windows.get(row).length();
    long[][] inputIds = new long[1][n];
    long[][] typeIds = new long[1][n];
    long[][] mask = new long[1][n];
    for (int t = 0; t < n; t++) {
      inputIds[0][t] = ids.get(row)[t];
      typeIds[0][t] = types.get(row)[t];
      mask[0][t] = 1;
    }
    try (OnnxTensor a = OnnxTensor.createTensor(env, inputIds);
         OnnxTensor b = OnnxTensor.createTensor(env, mask);
         OnnxTensor c = OnnxTensor.createTensor(env, typeIds);
         OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
      return ((float[][][]) result.get(0).getValue())[0];
    }
  }
}
