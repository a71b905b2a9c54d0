package io.qadistill.squad;

import io.qadistill.common.UsageException;
import java.util.List;

/**
 * What {@link ReadJob} reads.
 *
 * @param paths files, directories or globs on any Hadoop file system; for {@link InputFormat#TABLE}, one table
 *     name of the session's catalog ({@code db.name})
 * @param format their layout; null: inferred from the paths' names ({@link InputFormat#infer})
 * @param columns the input's names for the examples columns where they differ; null: none
 */
public record ReadInput(List<String> paths, InputFormat format, ColumnMapping columns) {
  public ReadInput {
    if (paths == null || paths.isEmpty()) {
      throw new UsageException("inputs: give at least one file, directory or glob (or, with --format table, a table)");
    }
    for (String path : paths) {
      if (path == null || path.isBlank()) {
        throw new UsageException("inputs: an input path is empty (" + paths + ")");
      }
    }
    paths = List.copyOf(paths);
    format = format != null ? format : InputFormat.infer(paths);
    columns = columns != null ? columns : ColumnMapping.NONE;
    if (format == InputFormat.SQUAD_JSON && !columns.isEmpty()) {
      throw new UsageException("--columns " + columns.sources() + " is for Parquet, JSON Lines and tables; "
          + "SQuAD JSON's keys are fixed (give --format when the inputs are not SQuAD JSON)");
    }
    if (format == InputFormat.TABLE && paths.size() != 1) {
      throw new UsageException("--format table reads one table; " + paths + " names " + paths.size()
          + ": read each into its own examples table");
    }
  }

  /** SQuAD JSON or whatever the names say ({@link InputFormat#infer}), no column mapping. */
  public static ReadInput of(List<String> paths) {
    return new ReadInput(paths, null, null);
  }
}
