package io.qadistill.cli;

import io.qadistill.common.UsageException;
import io.qadistill.eval.SquadVersion;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --squad-version}: parsed with the options, so a bad value is reported before Spark starts. */
final class SquadVersionConverter implements ITypeConverter<SquadVersion> {
  @Override
  public SquadVersion convert(String value) {
    try {
      return SquadVersion.parse(value);
    } catch (UsageException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
