package io.qadistill.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import ai.djl.Device;
import io.qadistill.features.FeaturesTable;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.ScoringModel;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.model.ModelFingerprint;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Teacher logits over all of dev-v1.1's windows (cut by featurize) with all-MiniLM-L6-v2 imported from the bundled
 * ONNX file, with one runtime ({@code --runtime onnx} by default, or {@code pytorch}): the teacher-logits job in
 * {@code local[2]} (two tasks at a time, one intra-op thread each) against the same model in the same runtime
 * in-process with the same threads and batching (two Java threads, one intra-op thread each, half the windows each,
 * {@link QaScorer} with the job's CPU default of 4,096 padded positions per batch). With ONNX Runtime both score the
 * same graph (the teacher's model.onnx, made before the first part) and both share one session between their two
 * threads, as an executor's tasks do.
 *
 * <p>The windows are cut into {@code chunks} parts (by example id) and each part is scored both ways in turn,
 * the order alternating, so that the load of a shared machine falls on both alike. The job is timed whole, from
 * the stage's {@code run} to its return (fingerprint, teacher load, counts, anti-joins, quarantine check,
 * scoring, commit), once per part into a fresh logits directory, so its fixed costs count {@code chunks} times.
 * Target: job ≥ 0.9× in-process (Spark's share ≤ 10%). Also prints the JVM's peak resident size (VmHWM).
 *
 * <p>{@code jobs/bench TeacherBench [chunks] [windows] [runtime]} (defaults: 4 parts of all 10,784 windows, onnx).
 */
public final class TeacherBench {
  private static final int THREADS = 2;

  public static void main(String[] args) throws Exception {
    int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    ScoringRuntime runtime = args.length > 2 ? ScoringRuntime.parse(args[2]) : ScoringRuntime.ONNX;
    SparkSession spark = LocalSpark.get();
    Path tmp = Files.createTempDirectory("teacherbench");
    Path teacher = importTeacher(tmp);
    String features = devFeatures(spark, tmp);
    Dataset<Row> all = FeaturesTable.read(spark, features, FeaturesTable.SCHEMA.fieldNames());
    if (args.length > 1) {
      all = all.limit(Integer.parseInt(args[1]));
    }
    // xxhash64: Spark's Murmur3 hash of dev-v1.1's first 2,000 windows' ids is a multiple of 4 for every one
    all.withColumn("chunk", pmod(xxhash64(col(FeaturesTable.EXAMPLE_ID)), lit(chunks))).write().partitionBy("chunk")
        .parquet(tmp.resolve("chunks").toString());

    TeacherLogitsConfig defaults = TeacherLogitsConfig.defaults(features, teacher.toString(), "unused");
    QaScorer.Options batching = defaults.batching(Device.cpu());
    // what the job's driver does before its job: the graph made (ONNX Runtime), then opened as an executor opens it
    ScoringModel scoring = ScoringModel.prepare(teacher, runtime, false, false,
        () -> ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), teacher.toString()));
    System.out.printf("%s; %d parts, batches of %d padded positions, %d rows at most; %d cores%n",
        scoring.describe(), chunks, batching.batchTokens(), batching.maxBatchRows(),
        Runtime.getRuntime().availableProcessors());
    long windows = 0;
    double jobSeconds = 0;
    double scoringSeconds = 0;
    double inProcessSeconds = 0;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (QaScorer model = scoring.open(Device.cpu(), 1)) {
      for (int c = 0; c < chunks; c++) {
        String part = tmp.resolve("chunks").resolve("chunk=" + c).toString();
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        collect(FeaturesTable.read(spark, part, FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS), ids, types);
        TeacherLogitsConfig config = TeacherLogitsConfig.defaults(part, teacher.toString(),
            tmp.resolve("logits-" + c).toString()).withScoring(runtime, false);
        double inProcess = 0;
        TeacherLogitsJob.Result job = null;
        for (int turn = 0; turn < 2; turn++) {
          if ((turn + c) % 2 == 0) {
            inProcess = seconds(() -> inProcess(pool, model, batching, ids, types));
          } else {
            job = new TeacherLogitsJob(config).run(spark);
          }
        }
        if (job.scored() != ids.size()) {
          throw new IllegalStateException("the job scored " + job.scored() + " of " + ids.size() + " windows");
        }
        windows += ids.size();
        jobSeconds += job.seconds();
        scoringSeconds += job.scored() / job.windowsPerSecond();
        inProcessSeconds += inProcess;
        System.out.printf("part %d (%s first): %5d windows, mean length %.1f: job %.1f windows/s (%.1f s, scoring "
            + "pass %.1f s), in-process %.1f windows/s (%.1f s): %.2fx; %s%n", c, c % 2 == 0 ? "in-process" : "job",
            ids.size(), ids.stream().mapToInt(a -> a.length).average().orElse(0), ids.size() / job.seconds(),
            job.seconds(), job.scored() / job.windowsPerSecond(), ids.size() / inProcess, inProcess,
            inProcess / job.seconds(), peakResident());
      }
    } finally {
      pool.shutdown();
    }
    System.out.printf("all %d windows: job %.2f windows/s (%.1f s, of which scoring pass %.1f s), in-process "
        + "%.2f windows/s (%.1f s)%n", windows, windows / jobSeconds, jobSeconds, scoringSeconds,
        windows / inProcessSeconds, inProcessSeconds);
    System.out.printf("job / in-process = %.2fx (target >= 0.9x); %s%n", inProcessSeconds / jobSeconds,
        peakResident());
  }

  /** The windows split in halves over the pool's threads, one intra-op thread each, as two tasks of the job. */
  private static void inProcess(ExecutorService pool, QaScorer scorer, QaScorer.Options batching, List<int[]> ids,
                                List<int[]> types) throws Exception {
    List<Future<?>> halves = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int from = ids.size() * t / THREADS;
      int to = ids.size() * (t + 1) / THREADS;
      halves.add(pool.submit(() -> {
        Runtimes.setThreads(1); // PyTorch's, kept per thread; an ONNX Runtime session has its own
        return scorer.score(ids.subList(from, to), types.subList(from, to), batching);
      }));
    }
    for (Future<?> f : halves) {
      f.get();
    }
  }

  interface Work {
    void run() throws Exception;
  }

  private static double seconds(Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** all-MiniLM-L6-v2 imported from the bundled ONNX file into {@code tmp}, its head from seed 7. */
  static Path importTeacher(Path tmp) {
    Path teacher = tmp.resolve("minilm");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, teacher, null, 7));
    return teacher;
  }

  /** dev-v1.1's features (10,784 windows), written under {@code tmp} by featurize with its defaults. */
  static String devFeatures(SparkSession spark, Path tmp) {
    String examples = tmp.resolve("examples").toString();
    SquadJson.examples(spark, TestData.devV11()).write().parquet(examples);
    String features = tmp.resolve("features").toString();
    new FeaturizeJob(FeaturizeConfig.defaults(examples, features, tmp.resolve("quarantine").toString())).run(spark);
    return features;
  }

  /** Appends the input_ids and token_type_ids of {@code features}' rows to {@code ids} and {@code types}. */
  static void collect(Dataset<Row> features, List<int[]> ids, List<int[]> types) {
    for (Row r : features.select(FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS).collectAsList()) {
      ids.add(ints(r.getList(0)));
      types.add(ints(r.getList(1)));
    }
  }

  /** The JVM's peak and current resident size, from /proc/self/status. */
  static String peakResident() throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
        out.add(line.replaceAll("\\s+", " "));
      }
    }
    return String.join(", ", out);
  }

  private static int[] ints(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
