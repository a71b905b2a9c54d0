package io.qadistill.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.UsageException;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A fixed sample of an examples table: the {@code size} examples whose ids hash lowest. Spread over every article
 * (unlike the first N), the same on every run and every cluster, and each example kept whole.
 */
record ExampleSample(ExampleSample.Config config) implements Stage<ExampleSample.Result> {
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

  @Override
  public String name() {
    return "sample";
  }

  @Override
  public List<String> inputs() {
    return List.of(config.examples());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out());
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    var examples = spark.read().parquet(config.examples());
    String out = run.staging(config.out());
    examples.orderBy(xxhash64(col("id")), col("id")).limit(config.size()).write().parquet(out);
    return new Result(examples.count(), spark.read().parquet(out).count(), config.out());
  }
}
