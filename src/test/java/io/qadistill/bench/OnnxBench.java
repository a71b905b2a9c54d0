package io.qadistill.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.model.onnx.QaGraph;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Windows/s of all-MiniLM-L6-v2 on real SQuAD dev windows with 2 threads, all length-bucketed (the scorer's
 * batches): our PyTorch block; ONNX Runtime on the original ONNX file of the Maven jar (an encoder: its last hidden
 * state); ONNX Runtime on our fp32 export and on our int8 export of the imported model directory. Targets: our fp32
 * export ≥ 1.0× the original file; int8 ≥ 2.0× our PyTorch block and ≥ 1.5× the original file.
 *
 * <p>Each runtime in both ways to use 2 threads: "2 tasks × 1 thread" (two callers, as two Spark tasks of a 2-core
 * executor sharing one model or session) and "1 task × 2 threads" (one caller, two intra-op threads); the ratios
 * take each runtime's faster way. Every variant runs each chunk of windows in turn ({@link ChunkRotation}).
 *
 * <p>{@code jobs/bench OnnxBench [windows] [chunk]} (default 2000 windows, chunks of 250).
 */
public final class OnnxBench {
  private static final int THREADS = 2;
  /** The original file's last hidden state. */
  private static final String ORIGINAL_OUTPUT = "output_0";

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    DevWindows windows = DevWindows.first(count);
    List<int[]> ids = windows.ids();
    List<int[]> types = windows.types();
    System.out.println(windows.describe(THREADS, chunk));

    Path dir = Files.createTempDirectory("onnxbench");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, dir, null, 1));
    Path original = MiniLmJar.copyOnnx(dir.resolve("all-minilm-l6-v2.onnx"));
    Path fp32 = dir.resolve(OnnxExport.FP32_FILE);
    Path int8 = dir.resolve(OnnxExport.INT8_FILE);
    try (QaModel model = ModelDirectory.load(dir)) {
      OnnxExport.write(OnnxWeights.of(model), QaGraph.Precision.FP32, false, fp32, Map.of());
      OnnxExport.write(OnnxWeights.of(model), QaGraph.Precision.INT8, false, int8, Map.of());
    }
    System.out.printf("files: original %.1f MB, fp32 export %.1f MB, int8 export %.1f MB%n", mb(original), mb(fp32),
        mb(int8));

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (QaModel model = ModelDirectory.load(dir);
         OrtSession original1 = encoderSession(env, original, 1);
         OrtSession original2 = encoderSession(env, original, THREADS);
         OnnxQaSession fp32One = OnnxQaSession.open(fp32, 1);
         OnnxQaSession fp32Two = OnnxQaSession.open(fp32, THREADS);
         OnnxQaSession int8One = OnnxQaSession.open(int8, 1);
         OnnxQaSession int8Two = OnnxQaSession.open(int8, THREADS)) {
      ChunkRotation.Work pytorch = rows -> model.score(pick(ids, rows), pick(types, rows));
      List<ChunkRotation.Variant> variants = List.of(
          new ChunkRotation.Variant("PyTorch block, 2 tasks x 1 thread", THREADS, () -> Runtimes.setThreads(1),
              pytorch),
          new ChunkRotation.Variant("PyTorch block, 1 task x 2 threads", 1, () -> Runtimes.setThreads(THREADS),
              pytorch),
          new ChunkRotation.Variant("ORT original file, 2 tasks x 1 thread", THREADS,
              rows -> encoder(env, original1, ids, types, rows)),
          new ChunkRotation.Variant("ORT original file, 1 task x 2 threads", 1,
              rows -> encoder(env, original2, ids, types, rows)),
          new ChunkRotation.Variant("ORT fp32 export, 2 tasks x 1 thread", THREADS,
              rows -> fp32One.score(pick(ids, rows), pick(types, rows), QaScorer.Options.DEFAULT)),
          new ChunkRotation.Variant("ORT fp32 export, 1 task x 2 threads", 1,
              rows -> fp32Two.score(pick(ids, rows), pick(types, rows), QaScorer.Options.DEFAULT)),
          new ChunkRotation.Variant("ORT int8 export, 2 tasks x 1 thread", THREADS,
              rows -> int8One.score(pick(ids, rows), pick(types, rows), QaScorer.Options.DEFAULT)),
          new ChunkRotation.Variant("ORT int8 export, 1 task x 2 threads", 1,
              rows -> int8Two.score(pick(ids, rows), pick(types, rows), QaScorer.Options.DEFAULT)));
      Map<ChunkRotation.Variant, Double> seconds = ChunkRotation.time(variants, count, chunk);
      double[] rate = new double[variants.size()];
      for (int i = 0; i < rate.length; i++) {
        ChunkRotation.Variant v = variants.get(i);
        rate[i] = count / seconds.get(v);
        System.out.printf("%-42s %7.2f windows/s  (%.0f s)%n", v.name(), rate[i], seconds.get(v));
      }
      double torchBest = Math.max(rate[0], rate[1]);
      double originalBest = Math.max(rate[2], rate[3]);
      double fp32Best = Math.max(rate[4], rate[5]);
      double int8Best = Math.max(rate[6], rate[7]);
      System.out.printf("fp32 export / original file = %.2fx (target >= 1.0x)%n", fp32Best / originalBest);
      System.out.printf("int8 export / PyTorch block = %.2fx (target >= 2.0x)%n", int8Best / torchBest);
      System.out.printf("int8 export / original file = %.2fx (target >= 1.5x)%n", int8Best / originalBest);
      System.out.printf("fp32 export / PyTorch block = %.2fx%n", fp32Best / torchBest);
    }
  }

  private static double mb(Path file) throws Exception {
    return Files.size(file) / 1e6;
  }

  private static List<int[]> pick(List<int[]> rows, List<Integer> indices) {
    return indices.stream().map(rows::get).toList();
  }

  private static OrtSession encoderSession(OrtEnvironment env, Path file, int threads) throws Exception {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      return env.createSession(file.toString(), options);
    }
  }

  /** The original encoder file on the rows, in the scorer's length buckets; its last hidden state is fetched. */
  private static void encoder(OrtEnvironment env, OrtSession session, List<int[]> ids, List<int[]> types,
                              List<Integer> rows) throws Exception {
    List<int[]> picked = pick(ids, rows);
    for (int[] batch : QaScorer.Options.DEFAULT.batches(picked)) {
      int length = IntStream.of(batch).map(r -> picked.get(r).length).max().orElse(0);
      long[] shape = {batch.length, length};
      LongBuffer a = LongBuffer.allocate(batch.length * length);
      LongBuffer b = LongBuffer.allocate(batch.length * length);
      LongBuffer c = LongBuffer.allocate(batch.length * length);
      for (int r = 0; r < batch.length; r++) {
        int row = rows.get(batch[r]);
        for (int t = 0; t < ids.get(row).length; t++) {
          a.put(r * length + t, ids.get(row)[t]);
          b.put(r * length + t, 1);
          c.put(r * length + t, types.get(row)[t]);
        }
      }
      try (OnnxTensor x = OnnxTensor.createTensor(env, a, shape);
           OnnxTensor y = OnnxTensor.createTensor(env, b, shape);
           OnnxTensor z = OnnxTensor.createTensor(env, c, shape);
           OrtSession.Result result = session.run(Map.of("input_ids", x, "attention_mask", y, "token_type_ids", z),
               Set.of(ORIGINAL_OUTPUT))) {
        result.get(0);
      }
    }
  }
}
