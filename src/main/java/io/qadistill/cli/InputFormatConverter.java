package io.qadistill.cli;

import io.qadistill.common.UsageException;
import io.qadistill.squad.InputFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --format}: parsed with the options, so a bad value is reported before Spark starts. */
final class InputFormatConverter implements ITypeConverter<InputFormat> {
  @Override
  public InputFormat convert(String value) {
    try {
      return InputFormat.parse(value);
    } catch (UsageException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
