package io.qadistill.teacher;

import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.OnnxImport;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Inputs of the teacher tests, made the way a user makes them: the bundled all-MiniLM-L6-v2 imported with
 * {@link OnnxImport} (no QA head, so the head comes from the seed: a different seed is a different teacher), and
 * real dev-v1.1 windows cut by {@link FeaturizeJob} from the file's first examples.
 */
final class DevFeatures {
  private DevFeatures() {}

  /** Imports MiniLM into {@code dir} with the head initialised from {@code seed}; returns the model directory. */
  static Path importMiniLm(Path dir, long seed) {
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, dir, null, seed));
    return dir;
  }

  /** The features table of dev-v1.1's first {@code examples} questions, written under {@code tmp}. */
  static String firstExamples(SparkSession spark, Path tmp, int examples) {
    String examplesPath = tmp.resolve("dev-examples-" + examples).toString();
    // one multi-line JSON file is one partition, so limit keeps the file's first questions
    SquadJson.examples(spark, TestData.devV11()).limit(examples).write().parquet(examplesPath);
    String features = tmp.resolve("dev-features-" + examples).toString();
    new FeaturizeJob(FeaturizeConfig.defaults(examplesPath, features,
        tmp.resolve("dev-features-quarantine-" + examples).toString())).run(spark);
    return features;
  }
}
