package io.qadistill.common;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Stage} the way every stage runs: its Spark job group set for the run and the caller's restored
 * after it; each output written into its staging directory, the provenance added there, and only then published
 * (a failed or killed run publishes nothing, and what it staged is removed on failure).
 */
public final class StageRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);

  private StageRunner() {}

  public static <R> R run(SparkSession spark, Stage<R> stage) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<String> targets = stage.outputs();
    List<Output> outputs = targets.stream().map(t -> stage.output(t, hadoop)).toList();
    // fingerprints of the inputs as they are before the stage reads them
    List<Provenance.Input> inputs = Provenance.Input.of(stage.inputs(), hadoop);
    try (JobGroup group = JobGroup.enter(spark, stage.name(), stage.name() + " -> " + targets.get(0))) {
      try {
        R result = stage.execute(spark, new StageRun(targets, outputs, group));
        Provenance provenance = Provenance.made(spark, stage.name(), stage.config(), inputs);
        for (Output output : outputs) {
          provenance.writeInto(spark, output.staging());
        }
        for (Output output : outputs) {
          output.publish();
        }
        LOG.info("{}: published {}", stage.name(), String.join(", ", targets));
        return result;
      } catch (RuntimeException | Error e) {
        outputs.forEach(Output::discard);
        throw e;
      }
    }
  }
}
