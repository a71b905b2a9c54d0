package io.qadistill.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.qadistill.common.Provenance;
import io.qadistill.common.UsageException;
import java.util.List;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A fixed sample of an examples table: the {@code size} examples whose ids hash lowest. Spread over every article
 * (unlike the first N), the same on every run and every cluster, and each example kept whole.
 */
final class ExampleSample {
  /** {@code size} examples of {@code examples} into {@code out}. */
  record Config(String examples, String out, int size) {
    Config {
      if (size < 1) {
        throw new UsageException("a sample of " + size + " examples: give at least 1 (or 0 for all)");
      }
    }
  }

  /** What was kept: {@code kept} of {@code examples} (all of them when there are no more than the size). */
  record Result(long examples, long kept, String out) {}

  private ExampleSample() {}

  static Result write(SparkSession spark, Config config) {
    var examples = spark.read().parquet(config.examples());
    examples.orderBy(xxhash64(col("id")), col("id")).limit(config.size())
        .write().mode(SaveMode.Overwrite).parquet(config.out());
    Provenance.of(spark, "sample", config, List.of(config.examples())).writeInto(spark, config.out());
    return new Result(examples.count(), spark.read().parquet(config.out()).count(), config.out());
  }
}
