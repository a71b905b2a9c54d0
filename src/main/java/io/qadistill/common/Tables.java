package io.qadistill.common;

import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a table that one stage hands to the next. A path that is not there, or not a table, or a table without a
 * column the stage needs, is a usage error naming the table and saying what to give instead, rather than Spark's
 * PATH_NOT_FOUND with a stack trace.
 */
public final class Tables {
  private Tables() {}

  /** {@code what}: the table's kind ("examples"); {@code hint}: what to give ("the --out directory of …"). */
  public static Dataset<Row> read(SparkSession spark, String path, String what, String hint, String... columns) {
    return read(spark.read(), path, what, hint, columns);
  }

  /** As {@link #read(SparkSession, String, String, String, String...)}, with the reader's options (a schema). */
  public static Dataset<Row> read(DataFrameReader reader, String path, String what, String hint,
                                  String... columns) {
    Dataset<Row> table;
    try {
      table = reader.parquet(path);
      table.schema(); // resolves the files now, so that a wrong path fails here, named
    } catch (Exception e) {
      throw new UsageException("cannot read the " + what + " table " + path + " (" + e.getMessage() + "): give "
          + hint, e);
    }
    return requireColumns(table, path, what, hint, columns);
  }

  /** {@code table} when it has all {@code columns}; else a usage error as {@link #read} gives it. */
  public static Dataset<Row> requireColumns(Dataset<Row> table, String path, String what, String hint,
                                            String... columns) {
    List<String> present = List.of(table.columns());
    for (String c : columns) {
      if (!present.contains(c)) {
        throw new UsageException("the " + what + " table " + path + " has no column " + c + " (it has " + present
            + "): give " + hint);
      }
    }
    return table;
  }
}
