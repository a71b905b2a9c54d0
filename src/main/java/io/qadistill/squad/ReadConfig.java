package io.qadistill.squad;

import io.qadistill.common.UsageException;
import java.util.List;

/**
 * What {@link ReadJob} reads and where it writes.
 *
 * @param input the inputs, their format and column mapping
 * @param examples the examples table's directory; replaced when the job succeeds
 * @param quarantine the quarantine table's directory; replaced when the job succeeds; must not be, contain or lie
 *     inside {@code examples}
 */
public record ReadConfig(ReadInput input, String examples, String quarantine) {

  /**
   * The quarantine directory beside {@code examples} when none is given: {@code out/examples} →
   * {@code out/examples-quarantine}.
   */
  public static String defaultQuarantine(String examples) {
    return stripSlash(examples) + "-quarantine";
  }

  /** A configuration with the quarantine beside the examples ({@link #defaultQuarantine}). */
  public static ReadConfig of(ReadInput input, String examples) {
    return new ReadConfig(input, examples, examples == null ? null : defaultQuarantine(examples));
  }

  /** SQuAD JSON (or the format the names say) into {@code examples}, the quarantine beside it. */
  public static ReadConfig of(List<String> inputs, String examples) {
    return of(ReadInput.of(inputs), examples);
  }

  public ReadConfig {
    if (input == null) {
      throw new UsageException("inputs: give at least one file, directory or glob (or, with --format table, a table)");
    }
    if (examples == null || examples.isBlank()) {
      throw new UsageException("examples: the output directory is empty (" + examples + ")");
    }
    if (quarantine == null || quarantine.isBlank()) {
      throw new UsageException("quarantine: the output directory is empty (" + quarantine + ")");
    }
    String e = stripSlash(examples) + "/";
    String q = stripSlash(quarantine) + "/";
    if (e.startsWith(q) || q.startsWith(e)) {
      throw new UsageException("quarantine " + quarantine + " and examples " + examples
          + " overlap: each output replaces its whole directory, so give two separate ones");
    }
  }

  private static String stripSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? stripSlash(path.substring(0, path.length() - 1)) : path;
  }
}
