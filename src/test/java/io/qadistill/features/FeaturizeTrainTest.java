package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.bench.FeaturesDigest;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** featurize over all of train-v1.1: a few minutes on 2 cores, so in the slow group (mvn -B test -Pslow). */
@Tag("slow")
class FeaturizeTrainTest {
  /**
   * {@link FeaturesDigest} of train-v1.1's features as featurize wrote them in the first layout (attention_mask,
   * offset_mapping pairs; commit 1a209c6): the same windows, ids, labels and offsets must come out of every later
   * layout and writer.
   */
  private static final String FIRST_LAYOUT_DIGEST = "rows 88524, sum 1015624276295229913813, xor d451400154bed96b";

  @Test
  void trainV11GivesItsWindowsWithTheContentOfTheFirstLayout(@TempDir Path tmp) {
    SparkSession spark = LocalSpark.get();
    String examples = tmp.resolve("examples").toString();
    SquadJson.examples(spark, TestData.trainV11()).write().parquet(examples);
    FeaturizeJob.Result train = FeaturizeJob.run(spark, FeaturizeConfig.defaults(examples,
        tmp.resolve("features").toString(), tmp.resolve("quarantine").toString()));

    assertThat(train.examples()).isEqualTo(87_599);
    assertThat(train.featurized()).isEqualTo(87_599);
    assertThat(train.windows()).isEqualTo(88_524);
    assertThat(train.windowsPerExampleMax()).isEqualTo(4);
    assertThat(train.quarantinedByReason()).isEmpty();
    assertThat(FeaturesDigest.of(spark, train.features())).isEqualTo(FIRST_LAYOUT_DIGEST);
  }
}
