package io.qadistill.bench;

import static org.apache.spark.sql.functions.col;

import io.qadistill.eval.ScoresTable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Two models' scores on the same questions (the {@code scores} tables {@code evaluate} writes), paired: the mean
 * difference in F1 and EM (first − second, in points), its 95% interval from resampling the questions with
 * replacement (percentile bootstrap), and on how many questions each scores the higher F1. What the learning runs
 * in docs/benchmarks.md report for one model against another.
 *
 * <p>{@code jobs/bench PairedBootstrap SCORES_A SCORES_B [resamples, default 2000] [seed, default 0]}
 */
public final class PairedBootstrap {
  private PairedBootstrap() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: jobs/bench PairedBootstrap SCORES_A SCORES_B [resamples] [seed]");
    }
    int resamples = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 0;
    SparkSession spark = SparkSession.builder().master("local[2]").appName("PairedBootstrap")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    Dataset<Row> a = scores(spark, args[0], "a");
    Dataset<Row> b = scores(spark, args[1], "b");
    List<Row> pairs = a.join(b, ScoresTable.ID).collectAsList();
    long countA = a.count();
    long countB = b.count();
    if (pairs.size() != countA || pairs.size() != countB) {
      throw new IllegalArgumentException(args[0] + " scores " + countA + " questions and " + args[1] + " " + countB
          + ", " + pairs.size() + " of them in both: pair the same questions (the same examples table)");
    }
    int n = pairs.size();
    double[] f1 = new double[n];
    double[] em = new double[n];
    int higher = 0;
    int lower = 0;
    for (int i = 0; i < n; i++) {
      Row r = pairs.get(i);
      f1[i] = 100 * (r.<Double>getAs("f1_a") - r.<Double>getAs("f1_b"));
      em[i] = 100 * (r.<Double>getAs("exact_a") - r.<Double>getAs("exact_b"));
      higher += f1[i] > 0 ? 1 : 0;
      lower += f1[i] < 0 ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "%d questions paired, %d resamples (seed %d)%n", n, resamples, seed);
    System.out.printf(Locale.ROOT, "F1 %s%nEM %s%n", interval(f1, resamples, seed), interval(em, resamples, seed));
    System.out.printf(Locale.ROOT, "F1 higher on %d, lower on %d, the same on %d%n", higher, lower, n - higher - lower);
    spark.stop();
  }

  private static Dataset<Row> scores(SparkSession spark, String table, String suffix) {
    return spark.read().parquet(table).select(col(ScoresTable.ID),
        col(ScoresTable.F1).cast("double").as("f1_" + suffix), col(ScoresTable.EXACT).cast("double").as("exact_"
            + suffix));
  }

  /** "mean (95% interval lo to hi)" of {@code d}'s mean over {@code resamples} resamples of its entries. */
  private static String interval(double[] d, int resamples, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double sum = 0;
      for (int i = 0; i < d.length; i++) {
        sum += d[random.nextInt(d.length)];
      }
      means[r] = sum / d.length;
    }
    Arrays.sort(means);
    double mean = Arrays.stream(d).average().orElse(Double.NaN);
    return String.format(Locale.ROOT, "%+.2f (95%% interval %+.2f to %+.2f)", mean,
        means[(int) Math.floor(0.025 * (resamples - 1))], means[(int) Math.ceil(0.975 * (resamples - 1))]);
  }
}
