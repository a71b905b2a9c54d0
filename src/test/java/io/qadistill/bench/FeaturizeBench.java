package io.qadistill.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * featurize of SQuAD v1.1 train in local[2] against, in the same run, a plain loop of the same tokenizer calls
 * over the same pairs on 2 threads without Spark. Also the tokenizer's own pair encoding with overflow (the
 * call Hugging Face's recipe makes), for reference. After a warm-up of both, job and loop alternate for a number of
 * rounds; each round reports wall and CPU seconds of both and the load average beside them, and the run ends
 * with the digest of the features written ({@link FeaturesDigest}).
 * Usage: jobs/bench FeaturizeBench [train|dev] [rounds, default 3]
 */
public final class FeaturizeBench {
  public static void main(String[] args) throws Exception {
    Path data = args.length > 0 && args[0].equals("dev") ? TestData.devV11() : TestData.trainV11();
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("FeaturizeBench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    Path tmp = Files.createTempDirectory("featurize-bench");
    String examples = tmp.resolve("examples").toString();
    SquadJson.examples(spark, data).write().parquet(examples);
    List<Row> pairs = spark.read().parquet(examples).select("question", "context").collectAsList();
    byte[] tokenizerJson;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      tokenizerJson = in.readAllBytes();
    }
    // Warm-up: JIT and the native library, for both paths.
    loop(pairs.subList(0, 2000), tokenizerJson, 2);
    String warmExamples = tmp.resolve("warm-examples").toString();
    spark.read().parquet(examples).limit(4000).write().parquet(warmExamples);
    FeaturizeJob.run(spark, FeaturizeConfig.defaults(warmExamples, tmp.resolve("warm").toString(),
        tmp.resolve("warm-q").toString()));

    // Job and loop alternate: the machine may be shared, and a load change between them shows as rounds that
    // disagree. CPU seconds of the whole process (all threads, GC included) are less sensitive to other
    // processes than wall time.
    FeaturizeJob.Result job = null;
    String features = tmp.resolve("features").toString();
    for (int round = 1; round <= rounds; round++) {
      String loadBefore = loadAverage();
      long c0 = cpuNanos();
      job = FeaturizeJob.run(spark, FeaturizeConfig.defaults(examples, features, tmp.resolve("quarantine").toString()));
      double jobCpu = (cpuNanos() - c0) / 1e9;
      double jobWall = job.examples() / job.examplesPerSecond();
      c0 = cpuNanos();
      double loopRate = loop(pairs, tokenizerJson, 2);
      double loopCpu = (cpuNanos() - c0) / 1e9;
      double loopWall = pairs.size() / loopRate;
      System.out.printf("round %d: job %.1f s wall (tokenizing pass: read, tokenize, write Parquet), %.1f CPU s "
          + "(whole job); loop %.1f s wall, %.1f CPU s; ratio by wall %.2f, by CPU %.2f (target >= 0.9); "
          + "load average before %s, after %s%n", round, jobWall, jobCpu, loopWall, loopCpu, loopWall / jobWall,
          loopCpu / jobCpu, loadBefore, loadAverage());
    }
    double pairRate = pairLoop(pairs, tokenizerJson, 2);

    System.out.printf("data: %s (%d examples)%n", data.getFileName(), job.examples());
    System.out.printf("windows: %d (%.3f per example, max %d), quarantined %s%n", job.windows(),
        job.windowsPerExampleMean(), job.windowsPerExampleMax(), job.quarantinedByReason());
    System.out.printf("features digest: %s%n", FeaturesDigest.of(spark, features));
    System.out.printf("plain loop, DJL pair encoding with overflow, 2 threads: %.0f examples/s%n", pairRate);
    spark.stop();
  }

  /** The 1, 5 and 15 minute load averages. */
  static String loadAverage() throws java.io.IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** CPU time of this process so far, all threads. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The job's tokenizer calls per example, without Spark, split over {@code threads} threads. */
  static double loop(List<Row> pairs, byte[] json, int threads) throws Exception {
    return timed(pairs, threads, () -> new WindowTokenizer(json, "bench", 384, 128), (tok, row) -> {
      WindowTokenizer.Tokens q = tok.tokenize(row.getString(0));
      WindowTokenizer.Tokens c = tok.tokenize(row.getString(1));
      return tok.rejection(q, c) == null ? tok.windows(q, c, -1, -1).size() : 0;
    });
  }

  /** Hugging Face's call: one pair encoding, truncating the context only, with overflowing windows. */
  static double pairLoop(List<Row> pairs, byte[] json, int threads) throws Exception {
    return timed(pairs, threads, () -> HuggingFaceTokenizer.newInstance(new java.io.ByteArrayInputStream(json),
        Map.of("truncation", "only_second", "maxLength", "384", "stride", "128", "padding", "false",
            "withOverflowingTokens", "true")),
        (tok, row) -> 1 + tok.encode(row.getString(0), row.getString(1), true, true).getOverflowing().length);
  }

  interface Work<T> {
    int apply(T tokenizer, Row pair) throws Exception;
  }

  interface Make<T> {
    T make() throws Exception;
  }

  static <T extends AutoCloseable> double timed(List<Row> pairs, int threads, Make<T> make, Work<T> work)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong windows = new AtomicLong();
    long t0 = System.nanoTime();
    List<Future<?>> parts = new java.util.ArrayList<>();
    int chunk = (pairs.size() + threads - 1) / threads;
    for (int t = 0; t < threads; t++) {
      List<Row> mine = pairs.subList(Math.min(pairs.size(), t * chunk), Math.min(pairs.size(), (t + 1) * chunk));
      parts.add(pool.submit(() -> {
        try (T tok = make.make()) {
          for (Row r : mine) {
            windows.addAndGet(work.apply(tok, r));
          }
        }
        return null;
      }));
    }
    for (Future<?> f : parts) {
      f.get();
    }
    pool.shutdown();
    return pairs.size() / ((System.nanoTime() - t0) / 1e9);
  }
}
