package io.qadistill.pipeline;

import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturizeConfig;

/**
 * The whole pipeline's settings.
 *
 * @param train SQuAD JSON the teacher and student learn from (file, directory or glob)
 * @param dev SQuAD JSON both models are evaluated on
 * @param work the directory every stage writes under, one subdirectory per stage output
 * @param maxLength window length for featurize
 * @param docStride window overlap for featurize
 */
public record PipelineConfig(String train, String dev, String work, int maxLength, int docStride) {
  public PipelineConfig {
    for (String[] p : new String[][] {{"train", train}, {"dev", dev}, {"work", work}}) {
      if (p[1] == null || p[1].isBlank()) {
        throw new UsageException("pipeline: --" + p[0] + " is empty; give a path");
      }
    }
    work = work.replaceAll("/+$", "");
    // Validates the window settings before any stage runs.
    new FeaturizeConfig("-", "-", "-", null, maxLength, docStride);
  }

  /** The embedded default: the bundled SQuAD sample under {@code home}/data/squad, outputs under {@code work}. */
  public static PipelineConfig embedded(String home, String work) {
    return new PipelineConfig(home + "/data/squad/train-sample.json", home + "/data/squad/dev-sample.json", work,
        FeaturizeConfig.DEFAULT_MAX_LENGTH, FeaturizeConfig.DEFAULT_DOC_STRIDE);
  }

  String path(String name) {
    return work + "/" + name;
  }
}
