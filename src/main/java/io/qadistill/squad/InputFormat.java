package io.qadistill.squad;

import com.fasterxml.jackson.annotation.JsonValue;
import io.qadistill.common.UsageException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@link ReadJob}'s inputs are laid out. SQuAD's own JSON nests questions in paragraphs in articles; the other
 * three hold one row per question in Hugging Face {@code datasets}' flat layout ({@code id}, {@code title},
 * {@code context}, {@code question}, {@code answers} as a struct of {@code text} and {@code answer_start} lists,
 * optionally {@code is_impossible}): as the hub publishes SQuAD in Parquet, as {@code Dataset.to_json} exports it,
 * and as teams keep question-answering data in their catalog's tables.
 */
public enum InputFormat {
  /** SQuAD JSON (v1.1 or v2.0): files, directories of .json files, globs. */
  SQUAD_JSON("squad-json"),
  /** Parquet files, directories of .parquet files, globs. */
  PARQUET("parquet"),
  /** JSON Lines, one record per line (optionally compressed): files, directories of them, globs. */
  JSONL("jsonl"),
  /** A table of the session's catalog, named {@code db.name} (Hive metastore or whatever the cluster configures). */
  TABLE("table");

  /** Compression suffixes Hadoop's codecs recognise; stripped before a name's format is read from it. */
  static final String COMPRESSION = "\\.(gz|bz2|deflate|zst|lz4|snappy)$";

  private final String option;

  InputFormat(String option) {
    this.option = option;
  }

  /** The name users write: {@code squad-json}, {@code parquet}, {@code jsonl}, {@code table}. */
  @JsonValue
  public String option() {
    return option;
  }

  public static InputFormat parse(String value) {
    for (InputFormat f : values()) {
      if (f.option.equals(value)) {
        return f;
      }
    }
    throw new UsageException("--format " + value + ": give one of " + names());
  }

  /**
   * The format the inputs' names say: {@code .parquet} → parquet; {@code .jsonl} or {@code .ndjson} → jsonl;
   * {@code .json} → squad-json (each optionally compressed, {@code .jsonl.gz}). Names that say nothing (a
   * directory, {@code data/*}) follow the others; when none says anything, squad-json. Inputs whose names say
   * different formats are refused: read them one format at a time. A table is never inferred: name it with
   * {@code --format table}.
   */
  public static InputFormat infer(List<String> inputs) {
    List<String> named = inputs.stream().filter(i -> of(i) != null).toList();
    List<InputFormat> said = named.stream().map(InputFormat::of).distinct().toList();
    if (said.size() > 1) {
      throw new UsageException("inputs " + named + " are of different formats (" + said.stream()
          .map(InputFormat::option).collect(Collectors.joining(", ")) + "): read one format at a time, or give "
          + "--format");
    }
    return said.isEmpty() ? SQUAD_JSON : said.get(0);
  }

  /** The format a path's name says, or null. */
  static InputFormat of(String path) {
    String name = path.toLowerCase(Locale.ROOT).replaceAll(COMPRESSION, "");
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return JSONL;
    }
    return name.endsWith(".json") ? SQUAD_JSON : null;
  }

  static String names() {
    return Arrays.stream(values()).map(InputFormat::option).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return option;
  }
}
