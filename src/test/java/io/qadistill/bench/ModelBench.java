package io.qadistill.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qadistill.model.QaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Windows/s of all-MiniLM-L6-v2 on real SQuAD dev windows with 2 cores' worth of threads, in one run: our block with
 * length-bucketed batches (its scorer's default), our block with every window padded to 384, and ONNX Runtime (the original
 * ONNX file) on the same batchings. Targets: ours bucketed ≥ 1.0× ONNX Runtime bucketed, ≥ 2× ours padded.
 *
 * <p>Two ways to use 2 threads, both measured: "2 tasks × 1": two callers (as two Spark tasks of a 2-core executor,
 * spark.task.cpus=1) each run half of the windows with one intra-op thread; "1 task × 2": one caller, two intra-op
 * threads. The windows are cut into chunks (file order, like partitions) and every variant runs each chunk in turn,
 * in a rotating order, so that a busy machine's drift falls on all variants alike.
 *
 * <p>{@code jobs/bench ModelBench [windows] [chunk]} (default 2000 windows, chunks of 250).
 */
public final class ModelBench {
  private static final int THREADS = 2;
  private static final int PADDED_ROWS = 8;
  private static final int PADDED_LENGTH = 384;
  /** Batches of {@link #PADDED_ROWS} windows, each padded to 384. */
  private static final QaScorer.Options PADDED =
      new QaScorer.Options(PADDED_ROWS * PADDED_LENGTH, PADDED_ROWS, PADDED_LENGTH);

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    DevWindows windows = DevWindows.first(count);
    List<int[]> ids = windows.ids();
    List<int[]> types = windows.types();
    System.out.println(windows.describe(THREADS, chunk));

    Path dir = Files.createTempDirectory("modelbench");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, dir, null, 1));
    byte[] onnx;
    try (var in = MiniLmJar.open(MiniLmJar.ONNX_RESOURCE)) {
      onnx = in.readAllBytes();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (QaModel model = ModelDirectory.load(dir);
         OrtSession.SessionOptions two = ortOptions(THREADS);
         OrtSession.SessionOptions one = ortOptions(1);
         OrtSession ort2 = env.createSession(onnx, two);
         OrtSession ort1 = env.createSession(onnx, one)) {
      ChunkRotation.Work oursBucketed = rows -> model.score(rows.stream().map(ids::get).toList(),
          rows.stream().map(types::get).toList());
      ChunkRotation.Work oursPadded = rows -> model.score(rows.stream().map(ids::get).toList(),
          rows.stream().map(types::get).toList(), PADDED);
      ChunkRotation.Work ortBucketed2 = rows -> ort(env, ort2, ids, types, bucketed(ids, rows), 0);
      ChunkRotation.Work ortBucketed1 = rows -> ort(env, ort1, ids, types, bucketed(ids, rows), 0);
      ChunkRotation.Work ortPadded2 = rows -> ort(env, ort2, ids, types, padded(rows), PADDED_LENGTH);
      Runnable oneThread = () -> Runtimes.setThreads(1);
      Runnable twoThreads = () -> Runtimes.setThreads(THREADS);
      List<ChunkRotation.Variant> variants = List.of(
          new ChunkRotation.Variant("ours bucketed, 2 tasks x 1 thread", THREADS, oneThread, oursBucketed),
          new ChunkRotation.Variant("ours bucketed, 1 task x 2 threads", 1, twoThreads, oursBucketed),
          new ChunkRotation.Variant("ours padded to 384, 2 tasks x 1 thread", THREADS, oneThread, oursPadded),
          new ChunkRotation.Variant("ORT bucketed, 1 task x 2 threads", 1, ortBucketed2),
          new ChunkRotation.Variant("ORT bucketed, 2 tasks x 1 thread", THREADS, ortBucketed1),
          new ChunkRotation.Variant("ORT padded to 384, 1 task x 2 threads", 1, ortPadded2));
      Map<ChunkRotation.Variant, Double> seconds = ChunkRotation.time(variants, count, chunk);
      for (ChunkRotation.Variant v : variants) {
        System.out.printf("%-42s %7.2f windows/s  (%.0f s)%n", v.name(), count / seconds.get(v), seconds.get(v));
      }
      double tasks = count / seconds.get(variants.get(0));
      double intra = count / seconds.get(variants.get(1));
      double padded = count / seconds.get(variants.get(2));
      double ortIntra = count / seconds.get(variants.get(3));
      double ortTasks = count / seconds.get(variants.get(4));
      System.out.printf("ours bucketed / ORT bucketed, 2 tasks x 1 thread each = %.2fx (target >= 1.0x)%n",
          tasks / ortTasks);
      System.out.printf("ours bucketed / ORT bucketed, 1 task x 2 threads each = %.2fx (target >= 1.0x)%n",
          intra / ortIntra);
      System.out.printf("ours 2 tasks x 1 / ORT 1 task x 2 (each's faster mode vs ORT's usual one) = %.2fx%n",
          tasks / ortIntra);
      System.out.printf("ours bucketed / ours padded, 2 tasks x 1 thread = %.2fx (target >= 2.0x)%n",
          tasks / padded);
    }
  }

  private static OrtSession.SessionOptions ortOptions(int threads) throws Exception {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    return options;
  }


  /** The rows' indices in the scorer's length buckets. */
  private static List<int[]> bucketed(List<int[]> ids, List<Integer> rows) {
    List<int[]> batches = new ArrayList<>();
    for (int[] batch : QaScorer.Options.DEFAULT.batches(rows.stream().map(ids::get).toList())) {
      batches.add(IntStream.of(batch).map(rows::get).toArray());
    }
    return batches;
  }

  /** The rows in file order, {@link #PADDED_ROWS} a batch. */
  private static List<int[]> padded(List<Integer> rows) {
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += PADDED_ROWS) {
      batches.add(rows.subList(from, Math.min(rows.size(), from + PADDED_ROWS)).stream().mapToInt(i -> i).toArray());
    }
    return batches;
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
