package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Samples of dev-v1.1: a held-out sample (skipping the training sample's size) never overlaps the training one. */
class ExampleSampleTest {
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  @Test
  void heldOutQuestionsAreTheNextOnesAndNoneOfTheSample() {
    String examples = new ReadJob(ReadConfig.of(List.of(TestData.devV11().toString()),
        tmp.resolve("examples").toString())).run(spark).examples();
    Set<String> train = ids(sample(examples, "train", 800, 0));
    Set<String> heldOut = ids(sample(examples, "held-out", 500, 800));
    Set<String> both = ids(sample(examples, "both", 1300, 0));

    assertThat(train).hasSize(800);
    assertThat(heldOut).hasSize(500).doesNotContainAnyElementsOf(train);
    Set<String> union = new HashSet<>(train);
    union.addAll(heldOut);
    assertThat(union).isEqualTo(both);
    // spread over the articles (dev-v1.1 has 48, about 220 questions each), where the first 500 would cover 2 or 3
    long titles = spark.read().parquet(tmp.resolve("held-out").toString()).select("title").distinct().count();
    assertThat(titles).isGreaterThan(40);
  }

  private String sample(String examples, String name, int size, int skip) {
    ExampleSample.Result result = new ExampleSample(new ExampleSample.Config(examples, tmp.resolve(name).toString(),
        size, skip)).run(spark);
    assertThat(result.examples()).isEqualTo(10_570);
    assertThat(result.kept()).isEqualTo(size);
    return result.out();
  }

  private Set<String> ids(String table) {
    return new HashSet<>(spark.read().parquet(table).select("id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
  }
}
