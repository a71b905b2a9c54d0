package io.qadistill.squad;

import static io.qadistill.squad.ExamplesTable.ANSWERS;
import static io.qadistill.squad.ExamplesTable.ANSWER_START;
import static io.qadistill.squad.ExamplesTable.CONTEXT;
import static io.qadistill.squad.ExamplesTable.ID;
import static io.qadistill.squad.ExamplesTable.IS_IMPOSSIBLE;
import static io.qadistill.squad.ExamplesTable.TEXT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.qadistill.common.UsageException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Parquet files and catalog tables as {@link ReadJob}'s input, on the driver: opens the input, checks its schema
 * against the column mapping before anything runs (a missing column, or a type that cannot hold the examples column,
 * is a usage error naming the column), and plans the per-row checks, which run on the executors
 * ({@link TableRecords}); nothing is collected.
 *
 * <p>Types a column may have: id a string or an integer type (taken as its decimal string), title, context and
 * question strings, answers a struct of {@code text: array<string>} and {@code answer_start: array<}an integer
 * type{@code >} (values beyond 32 bits are the row's wrong type), is_impossible a boolean; title and is_impossible
 * may be absent. Each row goes to the checks as JSON (Spark's {@code to_json}, which leaves out null values), without
 * its context, which is also the quarantine's raw column.
 *
 * <p>Which of two rows with one id comes first: the file order (sorted paths) and the row's index in its file, from
 * Spark's {@code _metadata} columns of file sources (Parquet files and file-based tables). A table without them
 * (not file-based) is read in its scan's order, which for such a table need not be the same on every run.
 */
final class TableInput {
  private static final Set<DataType> INTEGERS =
      Set.of(DataTypes.ByteType, DataTypes.ShortType, DataTypes.IntegerType, DataTypes.LongType);

  /**
   * The checked rows, and how many files they come from.
   *
   * @param rows one {@link ParsedRows} row per input row
   * @param files how many data files (1 for a table whose files are not known)
   */
  record Parsed(Dataset<Row> rows, int files) {}

  private TableInput() {}

  static Parsed parse(SparkSession spark, ReadInput input, LongAccumulator records) {
    Dataset<Row> source;
    List<String> files;
    String name;
    if (input.format() == InputFormat.TABLE) {
      name = input.paths().get(0);
      source = table(spark, name);
      files = Stream.of(source.inputFiles()).map(f -> new Path(URI.create(f)).toString()).sorted().toList();
    } else {
      name = String.join(", ", input.paths());
      files = InputFiles.list(input.paths(), InputFormat.PARQUET, spark.sparkContext().hadoopConfiguration())
          .stream().map(InputFile::path).toList();
      source = parquet(spark, files, name);
    }
    checkSchema(source.schema(), input.columns(), input.format() == InputFormat.TABLE ? "table " + name
        : "Parquet input " + name);

    boolean fileKnown = !files.isEmpty() && has(source, "_metadata.file_path");
    boolean rowIndexed = fileKnown && has(source, "_metadata.row_index");
    Map<String, Integer> fileIndex = new HashMap<>();
    files.forEach(f -> fileIndex.put(f, fileIndex.size()));
    String contextColumn = input.columns().source(CONTEXT);
    List<Column> fields = new ArrayList<>();
    for (StructField f : source.schema().fields()) {
      if (!f.name().equals(contextColumn)) {
        boolean castId = f.name().equals(input.columns().source(ID)) && INTEGERS.contains(f.dataType());
        fields.add(castId ? quoted(f.name()).cast(DataTypes.StringType).as(f.name()) : quoted(f.name()));
      }
    }
    Dataset<Row> prepared = source.select(
        fileKnown ? col("_metadata.file_path") : lit(null).cast(DataTypes.StringType),
        rowIndexed ? col("_metadata.row_index") : monotonically_increasing_id(),
        to_json(struct(fields.toArray(Column[]::new))),
        quoted(contextColumn));
    Dataset<Row> rows = prepared.mapPartitions(
        new TableRecords(fileIndex, name, rowIndexed, input.columns(), records), Encoders.row(ParsedRows.SCHEMA));
    return new Parsed(rows, Math.max(1, fileKnown ? files.size() : 1));
  }

  private static Dataset<Row> table(SparkSession spark, String name) {
    try {
      Dataset<Row> table = spark.table(name);
      table.schema();
      return table;
    } catch (Exception e) {
      throw new UsageException("cannot read the table " + name + " of the session's catalog ("
          + spark.conf().get("spark.sql.catalogImplementation", "in-memory") + "): " + e.getMessage()
          + ": give db.name of a table it holds (SHOW TABLES lists them)", e);
    }
  }

  private static Dataset<Row> parquet(SparkSession spark, List<String> files, String name) {
    try {
      Dataset<Row> table = spark.read().parquet(files.toArray(String[]::new));
      table.schema(); // reads the footers now, so that a file that is not Parquet fails here, named
      return table;
    } catch (Exception e) {
      throw new UsageException("cannot read the Parquet input " + name + ": " + e.getMessage(), e);
    }
  }

  /** Every examples column the input must have is there, of a type that can hold it; else a usage error. */
  static void checkSchema(StructType schema, ColumnMapping columns, String what) {
    for (String column : ExamplesTable.COLUMNS) {
      String source = columns.source(column);
      StructField field = Stream.of(schema.fields()).filter(f -> f.name().equals(source)).findFirst().orElse(null);
      boolean optional = column.equals(ExamplesTable.TITLE) || column.equals(IS_IMPOSSIBLE);
      if (field == null) {
        if (!optional || !source.equals(column)) {
          throw new UsageException(what + " has no column " + columns.describe(column) + " (it has "
              + List.of(schema.fieldNames()) + "): name the column that holds " + column + " with --columns "
              + column + "=COLUMN");
        }
      } else if (!fits(column, field.dataType())) {
        throw new UsageException(what + ": column " + columns.describe(column) + " is "
            + field.dataType().simpleString() + ", expected " + expected(column) + " for " + column
            + ": map --columns " + column + "= to a column of that type");
      }
    }
  }

  private static boolean fits(String column, DataType type) {
    return switch (column) {
      case ID -> type.equals(DataTypes.StringType) || INTEGERS.contains(type);
      case IS_IMPOSSIBLE -> type.equals(DataTypes.BooleanType);
      case ANSWERS -> type instanceof StructType s
          && arrayOf(s, TEXT, Set.of(DataTypes.StringType)) && arrayOf(s, ANSWER_START, INTEGERS);
      default -> type.equals(DataTypes.StringType);
    };
  }

  private static boolean arrayOf(StructType struct, String field, Set<DataType> elements) {
    return Stream.of(struct.fields()).anyMatch(f -> f.name().equals(field)
        && f.dataType() instanceof ArrayType a && elements.contains(a.elementType()));
  }

  private static String expected(String column) {
    return switch (column) {
      case ID -> "string or an integer type";
      case IS_IMPOSSIBLE -> "boolean";
      case ANSWERS -> "struct<" + TEXT + ":array<string>," + ANSWER_START + ":array<int>>";
      default -> "string";
    };
  }

  /** True when {@code column} (a metadata column) resolves for this source. */
  private static boolean has(Dataset<Row> source, String column) {
    try {
      source.select(col(column)).schema();
      return true;
    } catch (Exception e) {
      return false; // not a file source, or a format without that column
    }
  }

  /** A column by its exact name: dots and backticks in it are the name's, not a path into a struct. */
  private static Column quoted(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }
}
