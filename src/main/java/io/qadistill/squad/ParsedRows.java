package io.qadistill.squad;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows the executors hand {@link ReadJob}, whatever the input's format: every record, kept or not, with the
 * examples table's columns ({@link ExamplesTable}, null for a quarantined record), where it came from (the file's
 * rank in the sorted input list and its position in the file, which decide the first of two records with one id)
 * and, when it cannot be kept, why.
 */
final class ParsedRows {
  static final StructType SCHEMA;

  static {
    StructType schema = new StructType()
        .add("file_index", DataTypes.IntegerType, false)
        .add("position", DataTypes.LongType, false)
        .add("file", DataTypes.StringType, false)
        .add("location", DataTypes.StringType, true);
    for (StructField f : ExamplesTable.SCHEMA.fields()) {
      schema = schema.add(f.name(), f.dataType(), true);
    }
    SCHEMA = schema
        .add("corrections", DataTypes.IntegerType, false)
        .add("reason", DataTypes.StringType, true)
        .add("detail", DataTypes.StringType, true)
        .add("raw", DataTypes.StringType, true);
  }

  private ParsedRows() {}

  /** The row of {@code r}, read from the file ranked {@code fileIndex}, named {@code file}. */
  static Row of(int fileIndex, String file, SquadRecord r) {
    // arrays, not Lists: Spark's Row encoder takes Java arrays (and Scala Seqs) only
    Row answers = r.answerTexts() == null ? null : RowFactory.create(r.answerTexts().toArray(String[]::new),
        r.answerStarts().stream().mapToInt(Integer::intValue).toArray());
    // in ExamplesTable's column order
    return RowFactory.create(fileIndex, r.position(), file, r.location(), r.id(), r.title(), r.context(),
        r.question(), answers, r.isKept() ? r.impossible() : null, r.corrections(),
        r.reason() == null ? null : r.reason().code(), r.detail(), r.raw());
  }
}
