package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.features.FeaturizeJob;
import io.qadistill.squad.ReadResult;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
  @TempDir Path work;

  @Test
  void embeddedDefaultRunsEveryStageThenReusesThemAll() throws Exception {
    var spark = LocalSpark.get();
    PipelineConfig config = PipelineConfig.embedded(".", work.toString());

    Pipeline.Result first = new Pipeline(config).run(spark);
    assertThat(first.stages()).containsOnlyKeys("read train", "featurize train", "read dev", "featurize dev");
    ReadResult dev = (ReadResult) first.stages().get("read dev");
    assertThat(dev.kept()).isEqualTo(2_145);
    assertThat(((FeaturizeJob.Result) first.stages().get("featurize dev")).examples()).isEqualTo(2_145);
    assertThat(((ReadResult) first.stages().get("read train")).kept()).isEqualTo(9_352);

    Pipeline.Result second = new Pipeline(config).run(spark);
    assertThat(second.stages()).allSatisfy((stage, result) -> assertThat(result).as(stage).isEqualTo("reused"));

    // A newer input makes its stage and those after it run again.
    Files.deleteIfExists(work.resolve("dev-features").resolve("_provenance.json"));
    Pipeline.Result third = new Pipeline(config).run(spark);
    assertThat(third.stages().get("featurize dev")).isInstanceOf(FeaturizeJob.Result.class);
    assertThat(third.stages().get("read dev")).isEqualTo("reused");
  }
}
