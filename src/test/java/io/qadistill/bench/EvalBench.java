package io.qadistill.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;

import io.qadistill.eval.SquadEvaluation;
import io.qadistill.eval.SquadMetrics;
import io.qadistill.eval.SquadVersion;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * EM/F1 of 1,000,000 predictions (dev-v1.1 replicated under new ids, answered with perturbed gold answers) two ways
 * in one run: the DataFrame path in local[2] (read both Parquet tables, join on id, score with Spark SQL
 * expressions, aggregate: {@link SquadEvaluation}), and a plain single-thread Java loop over the same pairs in
 * memory ({@link SquadMetrics}, a HashMap for the join). Target: the DataFrame path costs at most 2× the loop per
 * prediction. Both must give the same figures. Usage: jobs/bench EvalBench [predictions] (default 1000000).
 */
public final class EvalBench {
  private static final StructType PREDICTIONS = new StructType()
      .add("id", DataTypes.StringType).add("prediction_text", DataTypes.StringType);

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("EvalBench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    Path tmp = Files.createTempDirectory("eval-bench");

    // Inputs, not timed: dev-v1.1 replicated to n examples under new ids, and one prediction for each.
    List<Row> dev = SquadJson.examples(spark, TestData.devV11()).collectAsList();
    List<Row> answers = new ArrayList<>(dev.size());
    for (int i = 0; i < dev.size(); i++) {
      List<String> gold = dev.get(i).getStruct(4).getList(0);
      answers.add(RowFactory.create(dev.get(i).getString(0), perturb(gold.get(i % gold.size()), i)));
    }
    String examples = tmp.resolve("examples").toString();
    String predictions = tmp.resolve("predictions").toString();
    Dataset<Row> copies = replicate(spark, SquadJson.examples(spark, TestData.devV11()), n).cache();
    copies.drop("_base").write().parquet(examples);
    copies.select("id", "_base")
        .join(spark.createDataFrame(answers, PREDICTIONS).withColumnRenamed("id", "_base"), "_base")
        .select("id", "prediction_text")
        .write().parquet(predictions);
    copies.unpersist();
    System.out.printf("%d examples, %d predictions (dev-v1.1, %d questions, replicated) in %s%n",
        spark.read().parquet(examples).count(), spark.read().parquet(predictions).count(), dev.size(), tmp);

    // The loop's inputs in memory: (id, gold answers) and id → prediction, as a Java program would hold them.
    List<Row> golds = spark.read().parquet(examples).select("id", "answers.text").collectAsList();
    List<Row> preds = spark.read().parquet(predictions).collectAsList();

    // Warm-up of both paths (JIT, Spark's code generation), then two timed rounds each, alternating.
    loop(golds.subList(0, 50_000), preds.subList(0, 50_000));
    dataFrame(spark, examples, predictions);
    double[] loopSeconds = new double[2];
    double[] frameSeconds = new double[2];
    Map<String, Object> frame = null;
    double[] plain = null;
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      plain = loop(golds, preds);
      loopSeconds[round] = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      frame = dataFrame(spark, examples, predictions);
      frameSeconds[round] = (System.nanoTime() - t0) / 1e9;
    }
    double loopBest = Math.min(loopSeconds[0], loopSeconds[1]);
    double frameBest = Math.min(frameSeconds[0], frameSeconds[1]);
    System.out.printf(Locale.ROOT, "figures: DataFrame %s; loop {exact_match=%.12f, f1=%.12f}%n", frame, plain[0],
        plain[1]);
    if (Math.abs((double) frame.get("exact_match") - plain[0]) > 1e-9
        || Math.abs((double) frame.get("f1") - plain[1]) > 1e-9) {
      throw new IllegalStateException("the two paths disagree");
    }
    System.out.printf(Locale.ROOT, "DataFrame path, local[2] (read 2 Parquet tables, join, score, aggregate): "
        + "%.2f s, %.2f s; best %.2f s = %.2f µs per prediction%n", frameSeconds[0], frameSeconds[1], frameBest,
        1e6 * frameBest / n);
    System.out.printf(Locale.ROOT, "plain Java loop, 1 thread (HashMap join, SquadMetrics.score): %.2f s, %.2f s; "
        + "best %.2f s = %.2f µs per prediction%n", loopSeconds[0], loopSeconds[1], loopBest, 1e6 * loopBest / n);
    System.out.printf(Locale.ROOT, "ratio DataFrame / loop per prediction: %.2f (target <= 2.0)%n",
        frameBest / loopBest);
    spark.stop();
  }

  /**
   * The first {@code n} rows of copies of {@code table} (in its order), copy c's ids suffixed "_c"; {@code _base}
   * keeps the original id.
   */
  private static Dataset<Row> replicate(SparkSession spark, Dataset<Row> table, int n) {
    long size = table.count();
    Dataset<Row> indexed = table.withColumn("_i", row_number().over(Window.orderBy(monotonically_increasing_id())));
    return indexed.crossJoin(spark.range((n + size - 1) / size).withColumnRenamed("id", "_copy"))
        .filter(col("_copy").multiply(size).plus(col("_i")).leq(n))
        .withColumn("_base", col("id"))
        .withColumn("id", concat(col("id"), lit("_"), col("_copy").cast("string")))
        .drop("_i", "_copy");
  }

  /** The evaluate stage's scoring and summary, from the Parquet tables. */
  private static Map<String, Object> dataFrame(SparkSession spark, String examples, String predictions) {
    Dataset<Row> scores = SquadEvaluation.scores(spark.read().parquet(examples), spark.read().parquet(predictions),
        SquadVersion.V1_1, 1.0);
    return SquadEvaluation.summary(scores, SquadVersion.V1_1);
  }

  /** evaluate-v1.1.py's loop: exact_match and f1 in percent. */
  private static double[] loop(List<Row> golds, List<Row> preds) {
    Map<String, String> byId = new HashMap<>(2 * preds.size());
    for (Row p : preds) {
      byId.put(p.getString(0), p.getString(1));
    }
    double exact = 0;
    double f1 = 0;
    for (Row g : golds) {
      String p = byId.get(g.getString(0));
      if (p != null) {
        SquadMetrics.Score s = SquadMetrics.score(p, g.getList(1), SquadVersion.V1_1);
        exact += s.exact();
        f1 += s.f1();
      }
    }
    return new double[] {100 * exact / golds.size(), 100 * f1 / golds.size()};
  }

  /** Perturbations of each step of the normalisation, as the tests use (ASCII and Unicode punctuation, case…). */
  private static String perturb(String gold, int k) {
    String[] words = gold.split(" ");
    return switch (k % 10) {
      case 0 -> gold;
      case 1 -> "The " + gold + " an";
      case 2 -> gold.toUpperCase(Locale.ROOT);
      case 3 -> "(" + gold.replace(" ", ", ") + ").";
      case 4 -> gold + " and a few more words";
      case 5 -> words.length > 1 ? String.join(" ", java.util.Arrays.copyOf(words, words.length - 1)) : "x " + gold;
      case 6 -> "«" + gold.replace(" ", " — ") + "»’";
      case 7 -> gold.replace(" ", "\u00A0") + "\u200Bthe\u3000a\u0301";
      case 8 -> "the " + gold + " " + gold;
      default -> "";
    };
  }
}
