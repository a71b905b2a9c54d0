package io.qadistill.bench;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qadistill.model.BertQaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaPredictor;
import io.qadistill.model.SquadWindows;
import io.qadistill.testing.TestData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Windows/s of all-MiniLM-L6-v2 on real SQuAD dev windows, 2 threads, in one run: our block with length-bucketed
 * batches (QaPredictor), our block with every window padded to 384, and ONNX Runtime (the original ONNX file) on
 * the same two batchings. Targets: bucketed ≥ 1.0× ONNX Runtime bucketed, ≥ 2× our padded.
 *
 * <p>{@code jobs/bench ModelBench [windows]} (default 2000).
 */
public final class ModelBench {
  private static final int THREADS = 2;
  private static final int PADDED_ROWS = 8;

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.devV11(), count);
    List<int[]> ids = windows.stream().map(SquadWindows.Window::inputIds).toList();
    List<int[]> types = windows.stream().map(SquadWindows.Window::tokenTypeIds).toList();
    double meanLength = windows.stream().mapToInt(SquadWindows.Window::length).average().orElse(0);
    System.out.printf("%d dev windows, mean length %.1f tokens, %d threads%n", count, meanLength, THREADS);

    Path dir = Files.createTempDirectory("modelbench");
    OnnxImport.run(new OnnxImport.Config(OnnxImport.CLASSPATH, dir, null, 1));
    QaPredictor.setThreads(THREADS);
    List<int[]> bucketed = QaPredictor.batches(ids, QaPredictor.Options.DEFAULT);
    List<int[]> padded = new ArrayList<>();
    for (int from = 0; from < count; from += PADDED_ROWS) {
      padded.add(IntStream.range(from, Math.min(count, from + PADDED_ROWS)).toArray());
    }

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (BertQaModel model = ModelDirectory.load(dir);
         InputStream onnx = MiniLmJar.open(MiniLmJar.ONNX_RESOURCE);
         OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(THREADS);
      opts.setInterOpNumThreads(1);
      QaPredictor predictor = new QaPredictor(model, QaPredictor.Options.DEFAULT);
      try (OrtSession session = env.createSession(onnx.readAllBytes(), opts)) {
        // warm-up: a few batches of each kind
        predictor.predict(ids.subList(0, 32), types.subList(0, 32));
        ort(env, session, ids, types, padded.subList(0, 2), 384);
        ours(model, ids, types, padded.subList(0, 2), 384);

        double ortBucketed = rate(count, () -> ort(env, session, ids, types, bucketed, 0));
        double oursBucketed = rate(count, () -> predictor.predict(ids, types));
        double oursPadded = rate(count, () -> ours(model, ids, types, padded, 384));
        double ortPadded = rate(count, () -> ort(env, session, ids, types, padded, 384));
        System.out.printf("ours bucketed        %7.1f windows/s%n", oursBucketed);
        System.out.printf("ours padded to 384   %7.1f windows/s%n", oursPadded);
        System.out.printf("ORT bucketed         %7.1f windows/s%n", ortBucketed);
        System.out.printf("ORT padded to 384    %7.1f windows/s%n", ortPadded);
        System.out.printf("ours bucketed / ORT bucketed = %.2fx (target >= 1.0x)%n", oursBucketed / ortBucketed);
        System.out.printf("ours bucketed / ours padded  = %.2fx (target >= 2.0x)%n", oursBucketed / oursPadded);
      }
    }
  }

  interface Work {
    void run() throws Exception;
  }

  private static double rate(int windows, Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return windows / ((System.nanoTime() - t0) / 1e9);
  }

  /** Our block on the given batches, each padded to {@code length}. */
  private static void ours(BertQaModel model, List<int[]> ids, List<int[]> types, List<int[]> batches, int length) {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int[] batch : batches) {
        try (NDManager scope = m.newSubManager()) {
          NDList inputs = QaPredictor.pad(scope, ids, types, batch, length);
          NDList out = model.block().forward(new ParameterStore(scope, false), inputs, false);
          out.get(0).toFloatArray();
          out.get(1).toFloatArray();
        }
      }
    }
  }

  /** ONNX Runtime on the given batches, each padded to {@code length} (0: to the batch's longest row). */
  private static void ort(OrtEnvironment env, OrtSession session, List<int[]> ids, List<int[]> types,
                          List<int[]> batches, int length) throws Exception {
    for (int[] batch : batches) {
      int n = length;
      for (int r : batch) {
        n = Math.max(n, ids.get(r).length);
      }
      long[][] a = new long[batch.length][n];
      long[][] b = new long[batch.length][n];
      long[][] c = new long[batch.length][n];
      for (int r = 0; r < batch.length; r++) {
        for (int t = 0; t < ids.get(batch[r]).length; t++) {
          a[r][t] = ids.get(batch[r])[t];
          b[r][t] = 1;
          c[r][t] = types.get(batch[r])[t];
        }
      }
      try (OnnxTensor x = OnnxTensor.createTensor(env, a);
           OnnxTensor y = OnnxTensor.createTensor(env, b);
           OnnxTensor z = OnnxTensor.createTensor(env, c);
           OrtSession.Result result = session.run(Map.of("input_ids", x, "attention_mask", y, "token_type_ids", z))) {
        result.get(0).getValue();
      }
    }
  }
}
