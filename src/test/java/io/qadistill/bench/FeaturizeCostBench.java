package io.qadistill.bench;

import io.qadistill.features.FeaturesTable;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;

/**
 * Where featurize's time goes beside the tokenizer, on one thread: tokenizing dev-v1.1 into windows, turning the
 * windows into Spark's binary rows, and writing them as Parquet in several ways (Spark's writer with its defaults
 * and with settings that cut its time; featurize's {@link FeaturesTable#write}, column by column). The write
 * variants run in a rotating order each round, and each reports wall and process CPU seconds; the last line gives
 * each one's least CPU seconds over the rounds after the first (other processes only ever add time).
 * Usage: jobs/bench FeaturizeCostBench
 */
public final class FeaturizeCostBench {
  private static final int ROUNDS = 6;

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("FeaturizeCostBench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    List<Row> pairs = SquadJson.examples(spark, TestData.devV11()).select("id", "question", "context")
        .collectAsList();
    byte[] json;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      json = in.readAllBytes();
    }
    String out = Files.createTempDirectory("featurize-cost").resolve("features").toString();
    Map<String, Write> writes = new LinkedHashMap<>();
    writes.put("Spark's default (snappy, dictionaries, three-level lists)", df -> df.write().mode("overwrite")
        .parquet(out));
    writes.put("Spark's, no dictionaries, two-level lists", df -> withLegacyLists(spark, () ->
        df.write().mode("overwrite").option("parquet.enable.dictionary", "false").parquet(out)));
    writes.put("Spark's, no dictionaries, two-level lists, v2 data pages (ints DELTA_BINARY_PACKED)", df ->
        withLegacyLists(spark, () -> df.write().mode("overwrite").option("parquet.enable.dictionary", "false")
            .option("parquet.writer.version", "PARQUET_2_0").parquet(out)));
    writes.put("featurize's FeaturesTable.write, column by column", df -> FeaturesTable.write(df, out));
    Map<String, Double> least = new LinkedHashMap<>();
    var serializer = ExpressionEncoder.<Row>apply(FeaturesTable.SCHEMA).createSerializer();
    try (WindowTokenizer tok = new WindowTokenizer(json, "bundled", 384, 128)) {
      for (int round = 1; round <= ROUNDS; round++) {
        long t0 = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        for (Row r : pairs) {
          WindowTokenizer.Tokens q = tok.tokenize(r.getString(1));
          WindowTokenizer.Tokens c = tok.tokenize(r.getString(2));
          for (WindowTokenizer.Window w : tok.windows(q, c, -1, -1)) {
            rows.add(FeaturesTable.row(r.getString(0), w.index(), w.inputIds(), w.tokenTypeIds(), w.offsetStart(),
                w.offsetEnd(), 0, 0));
          }
        }
        long t1 = System.nanoTime();
        long bytes = 0;
        for (Row r : rows) {
          bytes += ((UnsafeRow) serializer.apply(r)).getSizeInBytes();
        }
        long t2 = System.nanoTime();
        Dataset<Row> df = spark.createDataFrame(rows, FeaturesTable.SCHEMA).cache();
        df.write().mode("overwrite").format("noop").save();
        System.out.printf("round %d: %d examples -> %d windows (%d MB as Spark rows): tokenize %.2f s, to Spark rows "
            + "%.2f s; load average %s%n", round, pairs.size(), rows.size(), bytes >> 20, (t1 - t0) / 1e9,
            (t2 - t1) / 1e9, FeaturizeBench.loadAverage());
        List<String> names = new ArrayList<>(writes.keySet());
        java.util.Collections.rotate(names, round);
        for (String name : names) {
          long w0 = System.nanoTime();
          long c0 = FeaturizeBench.cpuNanos();
          writes.get(name).write(df);
          double cpu = (FeaturizeBench.cpuNanos() - c0) / 1e9;
          System.out.printf("  write %s: %.2f s wall, %.2f CPU s%n", name, (System.nanoTime() - w0) / 1e9, cpu);
          if (round > 1) {
            least.merge(name, cpu, Math::min);
          }
        }
        df.unpersist();
      }
    }
    least.forEach((name, cpu) -> System.out.printf("least CPU s, rounds 2-%d: %s %.2f%n", ROUNDS, name, cpu));
    spark.stop();
  }

  interface Write {
    void write(Dataset<Row> features);
  }

  /** Runs {@code write} with Spark's two-level list layout, as {@link FeaturesTable#write} does. */
  private static void withLegacyLists(SparkSession spark, Runnable write) {
    spark.conf().set("spark.sql.parquet.writeLegacyFormat", "true");
    try {
      write.run();
    } finally {
      spark.conf().set("spark.sql.parquet.writeLegacyFormat", "false");
    }
  }
}
