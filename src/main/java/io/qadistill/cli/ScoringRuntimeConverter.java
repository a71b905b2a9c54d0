package io.qadistill.cli;

import io.qadistill.common.UsageException;
import io.qadistill.model.ScoringRuntime;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --runtime}: parsed with the options, so a bad value is reported before Spark starts. */
final class ScoringRuntimeConverter implements ITypeConverter<ScoringRuntime> {
  @Override
  public ScoringRuntime convert(String value) {
    try {
      return ScoringRuntime.parse(value);
    } catch (UsageException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
