package io.qadistill.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.InputStream;
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
 * call Hugging Face's recipe makes), for reference. Usage: jobs/bench FeaturizeBench [train|dev]
 */
public final class FeaturizeBench {
  public static void main(String[] args) throws Exception {
    Path data = args.length > 0 && args[0].equals("dev") ? TestData.devV11() : TestData.trainV11();
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

    FeaturizeJob.Result job = FeaturizeJob.run(spark, FeaturizeConfig.defaults(examples,
        tmp.resolve("features").toString(), tmp.resolve("quarantine").toString()));
    double loopRate = loop(pairs, tokenizerJson, 2);
    double pairRate = pairLoop(pairs, tokenizerJson, 2);

    System.out.printf("data: %s (%d examples)%n", data.getFileName(), job.examples());
    System.out.printf("windows: %d (%.3f per example, max %d), quarantined %s%n", job.windows(),
        job.windowsPerExampleMean(), job.windowsPerExampleMax(), job.quarantinedByReason());
    System.out.printf("spark featurize local[2]: %.1f s job, %.0f examples/s (tokenizing pass: read, tokenize, "
        + "write Parquet)%n", job.seconds(), job.examplesPerSecond());
    System.out.printf("plain loop, same calls, 2 threads: %.0f examples/s%n", loopRate);
    System.out.printf("plain loop, DJL pair encoding with overflow, 2 threads: %.0f examples/s%n", pairRate);
    System.out.printf("ratio spark / same-calls loop: %.2f (target >= 0.85)%n", job.examplesPerSecond() / loopRate);
    spark.stop();
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
