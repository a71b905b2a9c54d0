package io.qadistill.common;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * One stage of the pipeline (read, featurize, teacher-logits, train, predict, evaluate, …): a typed configuration
 * in, a typed result out, outputs at paths. A stage only computes and writes into the staging directories it is
 * given; {@link StageRunner} does what every stage needs alike: the Spark job group (set, then restored), the
 * staging and the publication of each output, and the provenance beside it. A stage is best a record of its
 * configuration ({@code record FeaturizeJob(FeaturizeConfig config) implements Stage<…>}): the record gives
 * {@link #config()}, and the stage says only its name, inputs, outputs and work.
 *
 * @param <R> the result record, printed as JSON by the command
 */
public interface Stage<R> {
  /** The stage's name: its command, its Spark job group, the "job" of its provenance. */
  String name();

  /** Its configuration, a record: recorded in the provenance, compared when the pipeline decides to reuse. */
  Object config();

  /** The tables, files and model directories it reads: recorded in the provenance with their own fingerprints. */
  List<String> inputs();

  /** Its output paths; the first is the main one (the pipeline checks it to reuse the stage). */
  List<String> outputs();

  /** Does the work, writing each of {@link #outputs()} at {@code run.staging(output)}. */
  R execute(SparkSession spark, StageRun run);

  /** Runs this stage through {@link StageRunner}: the one way every stage is run. */
  default R run(SparkSession spark) {
    return StageRunner.run(spark, this);
  }

  /**
   * How {@code target} is published: by default a directory replaced as a whole ({@link ReplacedDirectory}); a
   * stage that adds to a directory holding more says so ({@link AddedFiles}: training's final model beside its
   * checkpoints, a model's ONNX graphs), as does one whose table grows run by run (teacher logits).
   */
  default Output output(String target, Configuration hadoop) {
    return new ReplacedDirectory(target, hadoop);
  }
}
