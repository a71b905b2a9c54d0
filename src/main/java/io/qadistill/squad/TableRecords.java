package io.qadistill.squad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Iterator;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The executor side of {@link ReadJob} for Parquet and catalog tables: checks each row, as {@link TableInput}
 * prepared it (file URI, position, the row as JSON without its context, the context), with the JSON Lines checks
 * ({@link FlatRecordChecks}) and hands it on as a {@link ParsedRows} row.
 */
final class TableRecords implements MapPartitionsFunction<Row, Row> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Integer> fileIndex;
  private final String table;
  private final boolean rowIndexed;
  private final ColumnMapping columns;
  private final LongAccumulator records;

  /**
   * {@code fileIndex}: each data file's rank in the sorted list; {@code table}: the file name rows without a known
   * file get; {@code rowIndexed}: positions are row indexes in their file (else only an order).
   */
  TableRecords(Map<String, Integer> fileIndex, String table, boolean rowIndexed, ColumnMapping columns,
      LongAccumulator records) {
    this.fileIndex = fileIndex;
    this.table = table;
    this.rowIndexed = rowIndexed;
    this.columns = columns;
    this.records = records;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    FlatRecordChecks checks = new FlatRecordChecks(columns);
    return new Iterator<>() {
      // a partition reads one file after another: decode each file's URI once
      private String lastUri;
      private String lastFile;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        String uri = row.getString(0);
        long position = row.getLong(1);
        String record = row.getString(2);
        JsonNode context = row.isNullAt(3) ? null : TextNode.valueOf(row.getString(3));
        if (uri != null && !uri.equals(lastUri)) {
          lastUri = uri;
          lastFile = new Path(URI.create(uri)).toString(); // as InputFiles and the quarantine name files
        }
        String file = uri == null ? table : lastFile;
        Integer index = uri == null ? Integer.valueOf(0) : fileIndex.get(file);
        if (index == null) {
          throw new IllegalStateException("the scan read " + file + ", which is not among its input files");
        }
        SquadRecord checked;
        try {
          checked = checks.check(JSON.readTree(record), context, position,
              rowIndexed ? "row " + position : null, record);
        } catch (JsonProcessingException e) {
          throw new UncheckedIOException("Spark's to_json wrote what Jackson cannot read: " + record, e);
        }
        records.add(1);
        return ParsedRows.of(index, file, checked);
      }
    };
  }
}
