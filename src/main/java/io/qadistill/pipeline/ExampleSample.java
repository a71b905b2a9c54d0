package io.qadistill.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.UsageException;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A fixed sample of an examples table: the {@code size} examples whose ids hash lowest after the {@code skip}
 * lowest. Spread over every article (unlike the first N), the same on every run and every cluster, and each
 * example kept whole. Samples with the same order never overlap: skipping the training sample's size gives
 * questions held out from it (to choose hyper-parameters on, never on dev).
 */
public record ExampleSample(ExampleSample.Config config) implements Stage<ExampleSample.Result> {
  /** {@code size} examples of {@code examples} into {@code out}, after the {@code skip} whose ids hash lowest. */
  public record Config(String examples, String out, int size, int skip) {
    public Config {
      if (size < 1) {
        throw new UsageException("a sample of " + size + " examples: give at least 1 (or 0 for all)");
      }
      if (skip < 0) {
        throw new UsageException("a sample after " + skip + " examples: give 0 or more");
      }
    }

    public Config(String examples, String out, int size) {
      this(examples, out, size, 0);
    }
  }

  /** What was kept: {@code kept} of {@code examples} (all of them after the skipped when there are no more). */
  public record Result(long examples, long kept, String out) {}

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
    examples.orderBy(xxhash64(col("id")), col("id")).offset(config.skip()).limit(config.size()).write().parquet(out);
    return new Result(examples.count(), spark.read().parquet(out).count(), config.out());
  }
}
