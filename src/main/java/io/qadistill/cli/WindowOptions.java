package io.qadistill.cli;

import io.qadistill.features.FeaturizeConfig;
import picocli.CommandLine.Option;

/** The window options of every command that featurizes (a picocli mixin). */
final class WindowOptions {
  @Option(names = "--max-length", defaultValue = "" + FeaturizeConfig.DEFAULT_MAX_LENGTH,
      description = "Tokens per window, special tokens included (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--doc-stride", defaultValue = "" + FeaturizeConfig.DEFAULT_DOC_STRIDE,
      description = "Context tokens shared by neighbouring windows (default: ${DEFAULT-VALUE}).")
  int docStride;
}
