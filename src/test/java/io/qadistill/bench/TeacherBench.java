package io.qadistill.bench;

import ai.djl.Device;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.BertQaModel;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaPredictor;
import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Teacher logits over dev-v1.1's windows (cut by featurize) with all-MiniLM-L6-v2 imported from the bundled ONNX
 * file, in one run on the same windows and batching (the job's CPU default, {@link QaPredictor} with 4,096 padded
 * positions per batch):
 * <ol>
 *   <li>the teacher-logits job in {@code local[2]}: two tasks at a time, one PyTorch thread each, whole job
 *       (fingerprint, teacher load, counts, anti-joins, quarantine check, scoring, commit) and scoring pass;
 *   <li>in-process, as the models issue measures it: one {@code predict} call over all windows, 2 PyTorch threads;
 *   <li>in-process, as the job spreads the work: two Java threads, one PyTorch thread each, half the windows each.
 * </ol>
 * Target: the whole job ≥ 0.9× the in-process figure (2.), i.e. Spark's share ≤ 10%.
 *
 * <p>{@code jobs/bench TeacherBench [windows]} (default: all 10,784).
 */
public final class TeacherBench {
  private static final int THREADS = 2;

  public static void main(String[] args) throws Exception {
    SparkSession spark = LocalSpark.get();
    Path tmp = Files.createTempDirectory("teacherbench");
    Path teacher = tmp.resolve("minilm");
    OnnxImport.run(new OnnxImport.Config(OnnxImport.CLASSPATH, teacher, null, 7));
    String examples = tmp.resolve("examples").toString();
    SquadJson.examples(spark, TestData.devV11()).write().parquet(examples);
    String features = tmp.resolve("features").toString();
    FeaturizeJob.run(spark, FeaturizeConfig.defaults(examples, features, tmp.resolve("quarantine").toString()));
    if (args.length > 0) {
      String some = tmp.resolve("features-" + args[0]).toString();
      spark.read().parquet(features).limit(Integer.parseInt(args[0])).write().parquet(some);
      features = some;
    }
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    for (Row r : spark.read().parquet(features).select("input_ids", "token_type_ids").collectAsList()) {
      ids.add(ints(r.getList(0)));
      types.add(ints(r.getList(1)));
    }
    int count = ids.size();
    TeacherLogitsConfig config = TeacherLogitsConfig.defaults(features, teacher.toString(),
        tmp.resolve("logits").toString());
    QaPredictor.Options batching = config.batching(Device.cpu());
    System.out.printf("%d dev-v1.1 windows, mean length %.1f tokens; batches of %d padded positions, %d rows at "
        + "most; %d cores%n", count, ids.stream().mapToInt(a -> a.length).average().orElse(0),
        batching.batchTokens(), batching.maxBatchRows(), Runtime.getRuntime().availableProcessors());

    double oneCall;
    double twoThreads;
    try (BertQaModel model = ModelDirectory.load(teacher)) {
      QaPredictor predictor = new QaPredictor(model, batching);
      QaPredictor.setThreads(THREADS);
      predictor.predict(ids.subList(0, 32), types.subList(0, 32)); // warm-up
      oneCall = rate(count, () -> predictor.predict(ids, types));
      System.out.printf("in-process, one call, %d PyTorch threads   %7.1f windows/s%n", THREADS, oneCall);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        twoThreads = rate(count, () -> {
          List<Future<?>> halves = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            int from = count * t / THREADS;
            int to = count * (t + 1) / THREADS;
            halves.add(pool.submit(() -> {
              QaPredictor.setThreads(1);
              return predictor.predict(ids.subList(from, to), types.subList(from, to));
            }));
          }
          for (Future<?> f : halves) {
            f.get();
          }
        });
      } finally {
        pool.shutdown();
      }
      System.out.printf("in-process, %d threads x 1 PyTorch thread     %7.1f windows/s%n", THREADS, twoThreads);
    }

    TeacherLogitsJob.Result job = TeacherLogitsJob.run(spark, config);
    if (job.scored() != count) {
      throw new IllegalStateException("the job scored " + job.scored() + " of " + count + " windows");
    }
    double whole = count / job.seconds();
    System.out.printf("teacher-logits job, local[2], whole job      %7.1f windows/s (%.1f s)%n", whole, job.seconds());
    System.out.printf("teacher-logits job, local[2], scoring pass   %7.1f windows/s%n", job.windowsPerSecond());
    System.out.printf("job / in-process one call     = %.2fx (target >= 0.9x)%n", whole / oneCall);
    System.out.printf("job / in-process 2 threads    = %.2fx%n", whole / twoThreads);
  }

  interface Work {
    void run() throws Exception;
  }

  private static double rate(int windows, Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return windows / ((System.nanoTime() - t0) / 1e9);
  }

  private static int[] ints(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
