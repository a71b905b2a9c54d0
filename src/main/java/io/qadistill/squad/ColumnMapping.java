package io.qadistill.squad;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qadistill.common.UsageException;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which of an input's columns (or JSON keys) holds each examples column, where the names differ:
 * {@code --columns id=qid,context=passage}. A column not named here is read from the column of its own name. Only
 * for the flat layouts (Parquet, JSON Lines, tables); SQuAD JSON's keys are fixed.
 *
 * @param sources the input's column for each examples column that has another name ({@link ExamplesTable#COLUMNS})
 */
public record ColumnMapping(@JsonValue Map<String, String> sources) implements Serializable {
  public static final ColumnMapping NONE = new ColumnMapping(Map.of());

  public ColumnMapping {
    sources = sources == null ? Map.of() : new TreeMap<>(sources);
    for (Map.Entry<String, String> e : sources.entrySet()) {
      if (!ExamplesTable.COLUMNS.contains(e.getKey())) {
        throw new UsageException("--columns " + e.getKey() + "=" + e.getValue() + ": " + e.getKey()
            + " is not an examples column; map one of " + ExamplesTable.COLUMNS);
      }
      if (e.getValue() == null || e.getValue().isBlank()) {
        throw new UsageException("--columns " + e.getKey() + "=: name the input's column that holds " + e.getKey());
      }
    }
    if (sources.values().stream().distinct().count() < sources.size()) {
      throw new UsageException("--columns " + sources + ": each input column can hold only one examples column");
    }
    sources = Collections.unmodifiableMap(sources);
  }

  /** The input's column that holds {@code column}. */
  public String source(String column) {
    return sources.getOrDefault(column, column);
  }

  /** How the input's column reads in a message: {@code qid (--columns id=qid)}, or just the name when not mapped. */
  String describe(String column) {
    String source = source(column);
    return sources.containsKey(column) ? source + " (--columns " + column + "=" + source + ")" : source;
  }

  public boolean isEmpty() {
    return sources.isEmpty();
  }
}
