package io.qadistill.pipeline;

import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages in order: read (train, dev) → featurize (train, dev). Each stage is skipped when its output is
 * already there and current ({@link StageCache}), so a rerun after a failure continues where it stopped.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /** Each stage's result record, or "reused" when its output was current; in the order they ran. */
  public record Result(String work, Map<String, Object> stages) {}

  private final PipelineConfig config;
  private final Map<String, Object> stages = new LinkedHashMap<>();

  public Pipeline(PipelineConfig config) {
    this.config = config;
  }

  public Result run(SparkSession spark) {
    StageCache cache = new StageCache(spark.sparkContext().hadoopConfiguration());
    for (String split : List.of("train", "dev")) {
      String input = split.equals("train") ? config.train() : config.dev();
      ReadConfig read = ReadConfig.of(List.of(input), config.path(split + "-examples"));
      stage(cache, "read " + split, read.examples(), read, List.of(), () -> new ReadJob(read).run(spark));

      FeaturizeConfig featurize = new FeaturizeConfig(read.examples(), config.path(split + "-features"),
          config.path(split + "-features-quarantine"), null, config.maxLength(), config.docStride());
      stage(cache, "featurize " + split, featurize.out(), featurize, List.of(read.examples()),
          () -> FeaturizeJob.run(spark, featurize));
    }
    return new Result(config.work(), stages);
  }

  private void stage(StageCache cache, String name, String output, Object stageConfig, List<String> inputs,
      Supplier<Object> job) {
    if (cache.isCurrent(output, stageConfig, inputs)) {
      LOG.info("pipeline: {} is current in {}, reused", name, output);
      stages.put(name, "reused");
      return;
    }
    LOG.info("pipeline: {} ...", name);
    stages.put(name, job.get());
  }
}
