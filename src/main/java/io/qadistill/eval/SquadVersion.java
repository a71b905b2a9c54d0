package io.qadistill.eval;

import io.qadistill.common.UsageException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which official script's rules apply: {@code evaluate-v1.1.py} (every question has answers; a missing prediction
 * scores 0) or {@code evaluate-v2.0.py} (unanswerable questions, "" as the no-answer prediction, null odds).
 */
public enum SquadVersion {
  V1_1("v1.1"),
  V2_0("v2.0");

  private final String label;

  SquadVersion(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Parses "v1.1"/"1.1"/"v2.0"/"2.0"/"2". */
  public static SquadVersion parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    t = t.startsWith("v") ? t.substring(1) : t;
    switch (t) {
      case "1.1":
        return V1_1;
      case "2", "2.0":
        return V2_0;
      default:
        throw new UsageException("unknown SQuAD version '" + text + "': use one of "
            + Arrays.stream(values()).map(SquadVersion::label).collect(Collectors.joining(", ")));
    }
  }

  @Override
  public String toString() {
    return label;
  }
}
