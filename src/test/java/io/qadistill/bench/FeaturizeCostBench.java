package io.qadistill.bench;

import io.qadistill.features.FeaturesTable;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;

/**
 * Where featurize's time goes beside the tokenizer, on one thread: tokenizing dev-v1.1 into windows, turning the
 * windows into Spark's binary rows, and writing them as Parquet (default snappy with dictionaries; without
 * dictionaries; without dictionaries and in the two-level list layout, as featurize writes them). Three rounds;
 * the first warms up. Usage: jobs/bench FeaturizeCostBench
 */
public final class FeaturizeCostBench {
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
    var serializer = ExpressionEncoder.<Row>apply(FeaturesTable.SCHEMA).createSerializer();
    try (WindowTokenizer tok = new WindowTokenizer(json, "bundled", 384, 128)) {
      for (int round = 1; round <= 3; round++) {
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
        long t3 = System.nanoTime();
        df.write().mode("overwrite").parquet(out);
        long t4 = System.nanoTime();
        df.write().mode("overwrite").option("parquet.enable.dictionary", "false").parquet(out);
        long t5 = System.nanoTime();
        spark.conf().set("spark.sql.parquet.writeLegacyFormat", "true");
        df.write().mode("overwrite").option("parquet.enable.dictionary", "false").parquet(out);
        spark.conf().set("spark.sql.parquet.writeLegacyFormat", "false");
        long t6 = System.nanoTime();
        df.unpersist();
        System.out.printf("round %d: %d examples -> %d windows (%d MB as Spark rows): tokenize %.2f s, to Spark rows "
            + "%.2f s, write Parquet %.2f s (without dictionaries %.2f s; also two-level lists, as featurize writes "
            + "them, %.2f s)%n", round, pairs.size(), rows.size(), bytes >> 20, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
            (t4 - t3) / 1e9, (t5 - t4) / 1e9, (t6 - t5) / 1e9);
      }
    }
    spark.stop();
  }
}
