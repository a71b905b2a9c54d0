package io.qadistill.features;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.xerial.snappy.Snappy;

/**
 * Writes one Parquet file of features rows column by column. Hand-written because Spark's Parquet writer shreds
 * each row value by value through parquet-mr (a virtual call, a byte-at-a-time int write, a repetition and a
 * definition level per array element), which cost a fifth of featurize's time beside the tokenizer; here a task
 * copies each row's arrays into per-column buffers and writes each page at once: the ints as one little-endian
 * block, the levels as a few run-length runs per row, then Snappy, through parquet-mr's own file writer (footer,
 * statistics, page indexes).
 *
 * <p>The file is what Spark itself writes with {@code spark.sql.parquet.writeLegacyFormat} (read as the same
 * columns by Spark, Arrow and Hugging Face datasets): non-null strings and ints as required columns, an
 * {@code array<int>} without null elements as a two-level list ({@code required group (LIST) { repeated int32
 * array; }}), Spark's schema in the footer; data pages v1, PLAIN values, RLE levels, Snappy; row groups of up to
 * {@value #ROW_GROUP_BYTES} buffered bytes, pages of about {@value #PAGE_BYTES}. Only those column types (those of
 * {@link FeaturesTable#SCHEMA}) are supported, and no nulls.
 */
final class FeaturesParquetWriter extends OutputWriter {
  static final long ROW_GROUP_BYTES = 32L << 20;
  static final int PAGE_BYTES = 1 << 20;
  /** Where Spark keeps its schema in a Parquet footer (ParquetReadSupport.SPARK_METADATA_KEY). */
  private static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
  private static final String SPARK_VERSION_KEY = "org.apache.spark.version";

  private final String path;
  private final ParquetFileWriter file;
  private final List<ColumnDescriptor> descriptors;
  private final Column[] columns;
  private final Map<String, String> footer;
  private long rows;

  FeaturesParquetWriter(String path, StructType schema, String sparkVersion, Configuration conf) {
    this.path = path;
    MessageType parquet = parquetSchema(schema);
    this.descriptors = parquet.getColumns();
    this.columns = new Column[schema.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = column(schema.fields()[i]);
    }
    this.footer = Map.of(SPARK_SCHEMA_KEY, schema.json(), SPARK_VERSION_KEY, sparkVersion);
    try {
      file = new ParquetFileWriter(HadoopOutputFile.fromPath(new Path(path), conf), parquet,
          ParquetFileWriter.Mode.CREATE, ROW_GROUP_BYTES, 0);
      file.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  /** The Parquet schema Spark writes for {@code schema} in its two-level list layout; fails on other types. */
  static MessageType parquetSchema(StructType schema) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (StructField f : schema.fields()) {
      if (f.dataType().equals(DataTypes.StringType)) {
        message.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(f.name());
      } else if (f.dataType().equals(DataTypes.IntegerType)) {
        message.required(PrimitiveTypeName.INT32).named(f.name());
      } else if (f.dataType() instanceof ArrayType a && a.elementType().equals(DataTypes.IntegerType)
          && !a.containsNull()) {
        message.requiredGroup().as(LogicalTypeAnnotation.listType())
            .repeated(PrimitiveTypeName.INT32).named("array").named(f.name());
      } else {
        throw new IllegalArgumentException("the features writer takes string, int and array<int> columns without "
            + "nulls, not " + f.name() + " " + f.dataType().simpleString());
      }
    }
    return message.named("spark_schema");
  }

  private static Column column(StructField f) {
    if (f.dataType().equals(DataTypes.StringType)) {
      return new StringColumn();
    }
    return f.dataType().equals(DataTypes.IntegerType) ? new IntColumn() : new IntListColumn();
  }

  @Override
  public void write(InternalRow row) {
    long bytes = 0;
    for (int i = 0; i < columns.length; i++) {
      if (row.isNullAt(i)) {
        throw new IllegalArgumentException("column " + descriptors.get(i).getPath()[0] + " is null in a row of "
            + path + ": the features table has no nulls");
      }
      columns[i].add(row, i);
      bytes += columns[i].bytes();
    }
    rows++;
    if (bytes >= ROW_GROUP_BYTES) {
      writeRowGroup();
    }
  }

  @Override
  public void close() {
    try {
      if (rows > 0) {
        writeRowGroup();
      }
      file.end(footer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish " + path, e);
    }
  }

  @Override
  public String path() {
    return path;
  }

  private void writeRowGroup() {
    try {
      file.startBlock(rows);
      for (int i = 0; i < columns.length; i++) {
        columns[i].writeTo(file, descriptors.get(i));
        columns[i].clear();
      }
      file.endBlock();
      rows = 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a row group to " + path, e);
    }
  }

  /** Writes a Snappy-compressed v1 data page of {@code rowCount} rows and {@code valueCount} level entries. */
  private static void writePage(ParquetFileWriter file, byte[] page, int valueCount, int rowCount,
      Statistics<?> stats) throws IOException {
    file.writeDataPage(valueCount, page.length, BytesInput.from(Snappy.compress(page)), stats, rowCount,
        Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
  }

  /** One column's values of the rows buffered for the current row group. */
  private abstract static class Column {
    abstract void add(InternalRow row, int ordinal);

    /** Bytes buffered. */
    abstract long bytes();

    /** Writes the buffered rows as one column chunk of pages. */
    abstract void writeTo(ParquetFileWriter file, ColumnDescriptor descriptor) throws IOException;

    abstract void clear();
  }

  /** A required int32: PLAIN values, no levels. */
  private static final class IntColumn extends Column {
    private int[] values = new int[1024];
    private int size;

    @Override
    void add(InternalRow row, int ordinal) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = row.getInt(ordinal);
    }

    @Override
    long bytes() {
      return 4L * size;
    }

    @Override
    void writeTo(ParquetFileWriter file, ColumnDescriptor descriptor) throws IOException {
      file.startColumn(descriptor, size, CompressionCodecName.SNAPPY);
      for (int from = 0; from < size; from += PAGE_BYTES / 4) {
        int to = Math.min(size, from + PAGE_BYTES / 4);
        ByteBuffer page = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        page.asIntBuffer().put(values, from, to - from);
        writePage(file, page.array(), to - from, to - from, intStats(descriptor, values, from, to));
      }
      file.endColumn();
    }

    @Override
    void clear() {
      size = 0;
    }
  }

  /** A required UTF-8 string: PLAIN values (4-byte little-endian length, then the bytes), no levels. */
  private static final class StringColumn extends Column {
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    /** Where each row's value starts in {@link #data}, and one more entry for the end. */
    private int[] starts = new int[1025];
    private int size;

    @Override
    void add(InternalRow row, int ordinal) {
      UTF8String s = row.getUTF8String(ordinal);
      int n = s.numBytes();
      data.write(n);
      data.write(n >>> 8);
      data.write(n >>> 16);
      data.write(n >>> 24);
      data.writeBytes(s.getBytes());
      if (size + 2 > starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
      }
      starts[++size] = data.size();
    }

    @Override
    long bytes() {
      return data.size();
    }

    @Override
    void writeTo(ParquetFileWriter file, ColumnDescriptor descriptor) throws IOException {
      byte[] all = data.toByteArray();
      file.startColumn(descriptor, size, CompressionCodecName.SNAPPY);
      int from = 0;
      while (from < size) {
        int to = from + 1;
        while (to < size && starts[to + 1] - starts[from] <= PAGE_BYTES) {
          to++;
        }
        Statistics<?> stats = Statistics.createStats(descriptor.getPrimitiveType());
        for (int r = from; r < to; r++) {
          stats.updateStats(Binary.fromConstantByteArray(all, starts[r] + 4, starts[r + 1] - starts[r] - 4));
        }
        writePage(file, Arrays.copyOfRange(all, starts[from], starts[to]), to - from, to - from, stats);
        from = to;
      }
      file.endColumn();
    }

    @Override
    void clear() {
      data.reset();
      size = 0;
    }
  }

  /**
   * A required {@code array<int>} in the two-level layout: per row a repetition level 0 and then 1s, definition
   * level 1 for each element (an empty array is one entry at level 0, without a value).
   */
  private static final class IntListColumn extends Column {
    private int[] values = new int[1 << 16];
    private int size;
    private int[] lengths = new int[1024];
    private int rows;

    @Override
    void add(InternalRow row, int ordinal) {
      ArrayData array = row.getArray(ordinal);
      int n = array.numElements();
      if (size + n > values.length) {
        values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
      }
      for (int i = 0; i < n; i++) {
        values[size + i] = array.getInt(i);
      }
      size += n;
      if (rows == lengths.length) {
        lengths = Arrays.copyOf(lengths, rows * 2);
      }
      lengths[rows++] = n;
    }

    @Override
    long bytes() {
      return 4L * size;
    }

    @Override
    void writeTo(ParquetFileWriter file, ColumnDescriptor descriptor) throws IOException {
      long entries = 0;
      for (int r = 0; r < rows; r++) {
        entries += Math.max(1, lengths[r]);
      }
      file.startColumn(descriptor, entries, CompressionCodecName.SNAPPY);
      int row = 0;
      int value = 0;
      while (row < rows) {
        int firstRow = row;
        int firstValue = value;
        int pageEntries = 0;
        Levels repetition = new Levels();
        Levels definition = new Levels();
        do {
          int n = lengths[row++];
          value += n;
          pageEntries += Math.max(1, n);
          repetition.add(0, 1);
          repetition.add(1, n - 1);
          definition.add(n > 0 ? 1 : 0, Math.max(1, n));
        } while (row < rows && 4 * (value - firstValue + lengths[row]) <= PAGE_BYTES);
        byte[] rl = repetition.toBytes();
        byte[] dl = definition.toBytes();
        ByteBuffer page = ByteBuffer.allocate(rl.length + dl.length + 4 * (value - firstValue))
            .order(ByteOrder.LITTLE_ENDIAN);
        page.put(rl).put(dl).asIntBuffer().put(values, firstValue, value - firstValue);
        Statistics<?> stats = intStats(descriptor, values, firstValue, value);
        stats.incrementNumNulls(pageEntries - (value - firstValue)); // empty arrays, as parquet-mr counts them
        writePage(file, page.array(), pageEntries, row - firstRow, stats);
      }
      file.endColumn();
    }

    @Override
    void clear() {
      size = 0;
      rows = 0;
    }
  }

  /** Min and max of {@code values[from, to)} as Parquet statistics; empty when the range is. */
  private static Statistics<?> intStats(ColumnDescriptor descriptor, int[] values, int from, int to) {
    Statistics<?> stats = Statistics.createStats(descriptor.getPrimitiveType());
    if (from < to) {
      int min = values[from];
      int max = values[from];
      for (int i = from + 1; i < to; i++) {
        min = Math.min(min, values[i]);
        max = Math.max(max, values[i]);
      }
      stats.updateStats(min);
      stats.updateStats(max);
    }
    return stats;
  }

  /**
   * Levels of maximum 1 in Parquet's RLE/bit-packing hybrid, as RLE runs only (each: the run length shifted left
   * by one as a ULEB128 varint, then the value in one byte), behind the 4-byte little-endian length that data
   * pages v1 put before their levels. Adjacent runs of the same value merge.
   */
  static final class Levels {
    private final ByteArrayOutputStream runs = new ByteArrayOutputStream();
    private int value = -1;
    private long count;

    void add(int level, int times) {
      if (times == 0) {
        return;
      }
      if (level != value) {
        flush();
        value = level;
      }
      count += times;
    }

    byte[] toBytes() {
      flush();
      int n = runs.size();
      ByteBuffer out = ByteBuffer.allocate(4 + n).order(ByteOrder.LITTLE_ENDIAN);
      out.putInt(n).put(runs.toByteArray());
      return out.array();
    }

    private void flush() {
      if (count > 0) {
        for (long header = count << 1; ; header >>>= 7) {
          if (header < 0x80) {
            runs.write((int) header);
            break;
          }
          runs.write((int) (header & 0x7f) | 0x80);
        }
        runs.write(value);
      }
      count = 0;
    }
  }
}
