package io.qadistill.features;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.xerial.snappy.Snappy;

/**
 * Writes one Parquet file of features rows column by column. Hand-written because Spark's Parquet writer shreds
 * each row value by value through parquet-mr (a virtual call, a byte-at-a-time int write, a repetition and a
 * definition level per array element), which cost a fifth of featurize's time beside the tokenizer; here a task
 * copies each row's values into a page buffer per column and encodes a page at once when it is full: the ints as
 * one little-endian block, the levels as a few run-length runs per row, then Snappy. Pages wait, compressed, until
 * their row group is written through parquet-mr's own file writer (footer, statistics, page indexes). Buffers are
 * reused and no array reaches a megabyte: the garbage collector treats larger ones as humongous objects, and their
 * churn cost more than the write saved.
 *
 * <p>The file is what Spark itself writes with {@code spark.sql.parquet.writeLegacyFormat} (read as the same
 * columns by Spark, Arrow and Hugging Face datasets): non-null strings and ints as required columns, an
 * {@code array<int>} without null elements as a two-level list ({@code required group (LIST) { repeated int32
 * array; }}), Spark's schema in the footer; data pages v1, PLAIN values, RLE levels, Snappy; row groups of about
 * {@value #ROW_GROUP_BYTES} bytes before compression, pages of about {@value #PAGE_BYTES}. Only those column types
 * (those of {@link FeaturesTable#SCHEMA}) are supported, and no nulls.
 */
final class FeaturesParquetWriter extends OutputWriter {
  static final long ROW_GROUP_BYTES = 32L << 20;
  static final int PAGE_BYTES = 256 << 10;
  /** Where Spark keeps its schema in a Parquet footer (ParquetReadSupport.SPARK_METADATA_KEY). */
  private static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
  private static final String SPARK_VERSION_KEY = "org.apache.spark.version";

  private final String path;
  private final ParquetFileWriter file;
  private final List<ColumnDescriptor> descriptors;
  private final Column[] columns;
  private final Map<String, String> footer;
  private final PageEncoder encoder = new PageEncoder();
  private long rows;
  private long bytes;

  FeaturesParquetWriter(String path, StructType schema, String sparkVersion, Configuration conf) {
    this.path = path;
    MessageType parquet = parquetSchema(schema);
    this.descriptors = parquet.getColumns();
    this.columns = new Column[schema.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = column(schema.fields()[i], descriptors.get(i).getPrimitiveType());
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

  private static Column column(StructField f, PrimitiveType type) {
    if (f.dataType().equals(DataTypes.StringType)) {
      return new StringColumn(type);
    }
    return f.dataType().equals(DataTypes.IntegerType) ? new IntColumn(type) : new IntListColumn(type);
  }

  @Override
  public void write(InternalRow row) {
    for (int i = 0; i < columns.length; i++) {
      if (row.isNullAt(i)) {
        throw new IllegalArgumentException("column " + descriptors.get(i).getPath()[0] + " is null in a row of "
            + path + ": the features table has no nulls");
      }
      bytes += columns[i].add(row, i, encoder);
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
        columns[i].finishPage(encoder);
        columns[i].writeTo(file, descriptors.get(i));
      }
      file.endBlock();
      rows = 0;
      bytes = 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a row group to " + path, e);
    }
  }

  /** A data page v1, Snappy-compressed, with what its header says. */
  private record Page(byte[] compressed, int size, int valueCount, int rowCount, Statistics<?> stats) {}

  /** One column's pages of the current row group: the finished ones, compressed, and the one being filled. */
  private abstract static class Column {
    final PrimitiveType type;
    private final List<Page> pages = new ArrayList<>();
    private long entries;

    Column(PrimitiveType type) {
      this.type = type;
    }

    /** Adds a row's value; returns the bytes it takes before compression. */
    abstract long add(InternalRow row, int ordinal, PageEncoder encoder);

    /** Encodes the page being filled, if it holds a row. */
    abstract void finishPage(PageEncoder encoder);

    void addPage(Page page) {
      pages.add(page);
      entries += page.valueCount();
    }

    void writeTo(ParquetFileWriter file, ColumnDescriptor descriptor) throws IOException {
      file.startColumn(descriptor, entries, CompressionCodecName.SNAPPY);
      for (Page p : pages) {
        file.writeDataPage(p.valueCount(), p.size(), BytesInput.from(p.compressed()), p.stats(), p.rowCount(),
            Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
      }
      file.endColumn();
      pages.clear();
      entries = 0;
    }
  }

  /** A required int32: PLAIN values, no levels. */
  private static final class IntColumn extends Column {
    private final int[] values = new int[PAGE_BYTES / 4];
    private int size;

    IntColumn(PrimitiveType type) {
      super(type);
    }

    @Override
    long add(InternalRow row, int ordinal, PageEncoder encoder) {
      if (size == values.length) {
        finishPage(encoder);
      }
      values[size++] = row.getInt(ordinal);
      return 4;
    }

    @Override
    void finishPage(PageEncoder encoder) {
      if (size > 0) {
        addPage(encoder.page(null, null, values, size, size, size, intStats(type, values, size)));
        size = 0;
      }
    }
  }

  /** A required UTF-8 string: PLAIN values (4-byte little-endian length, then the bytes), no levels. */
  private static final class StringColumn extends Column {
    private ByteBuffer values = ByteBuffer.allocate(PAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int size;
    private Statistics<?> stats;

    StringColumn(PrimitiveType type) {
      super(type);
      stats = Statistics.createStats(type);
    }

    @Override
    long add(InternalRow row, int ordinal, PageEncoder encoder) {
      byte[] value = row.getUTF8String(ordinal).getBytes();
      if (size > 0 && values.remaining() < 4 + value.length) {
        finishPage(encoder);
      }
      if (values.remaining() < 4 + value.length) { // one value longer than a page
        values = ByteBuffer.allocate(4 + value.length).order(ByteOrder.LITTLE_ENDIAN);
      }
      values.putInt(value.length).put(value);
      stats.updateStats(Binary.fromConstantByteArray(value));
      size++;
      return 4 + value.length;
    }

    @Override
    void finishPage(PageEncoder encoder) {
      if (size > 0) {
        addPage(new Page(encoder.compress(values.array(), values.position()), values.position(), size, size,
            stats));
        values.clear();
        size = 0;
        stats = Statistics.createStats(type);
      }
    }
  }

  /**
   * A required {@code array<int>} in the two-level layout: per row a repetition level 0 and then 1s, definition
   * level 1 for each element (an empty array is one entry at level 0, without a value).
   */
  private static final class IntListColumn extends Column {
    private int[] values = new int[PAGE_BYTES / 4];
    private int size;
    private int[] lengths = new int[1024];
    private int rows;

    IntListColumn(PrimitiveType type) {
      super(type);
    }

    @Override
    long add(InternalRow row, int ordinal, PageEncoder encoder) {
      ArrayData array = row.getArray(ordinal);
      int n = array.numElements();
      if (rows > 0 && size + n > values.length) {
        finishPage(encoder);
      }
      if (n > values.length) { // one row longer than a page
        values = new int[n];
      }
      for (int i = 0; i < n; i++) {
        values[size + i] = array.getInt(i);
      }
      size += n;
      if (rows == lengths.length) {
        lengths = Arrays.copyOf(lengths, rows * 2);
      }
      lengths[rows++] = n;
      return 4L * n;
    }

    @Override
    void finishPage(PageEncoder encoder) {
      if (rows == 0) {
        return;
      }
      Levels repetition = new Levels();
      Levels definition = new Levels();
      int entries = 0;
      for (int r = 0; r < rows; r++) {
        int n = lengths[r];
        repetition.add(0, 1);
        repetition.add(1, n - 1);
        definition.add(n > 0 ? 1 : 0, Math.max(1, n));
        entries += Math.max(1, n);
      }
      Statistics<?> stats = intStats(type, values, size);
      stats.incrementNumNulls(entries - size); // empty arrays, as parquet-mr counts them
      addPage(encoder.page(repetition.toBytes(), definition.toBytes(), values, size, entries, rows, stats));
      size = 0;
      rows = 0;
    }
  }

  /** Min and max of {@code values[0, size)} as Parquet statistics; empty when there are none. */
  private static Statistics<?> intStats(PrimitiveType type, int[] values, int size) {
    Statistics<?> stats = Statistics.createStats(type);
    if (size > 0) {
      int min = values[0];
      int max = values[0];
      for (int i = 1; i < size; i++) {
        min = Math.min(min, values[i]);
        max = Math.max(max, values[i]);
      }
      stats.updateStats(min);
      stats.updateStats(max);
    }
    return stats;
  }

  /** Assembles and compresses pages in buffers it keeps, so that a page costs one allocation: its result. */
  private static final class PageEncoder {
    private ByteBuffer plain = ByteBuffer.allocate(PAGE_BYTES + 4096).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] compressed = new byte[Snappy.maxCompressedLength(PAGE_BYTES + 4096)];

    /** A page of levels (null when the column has none) and the first {@code size} ints as PLAIN values. */
    Page page(byte[] repetition, byte[] definition, int[] values, int size, int entries, int rows,
        Statistics<?> stats) {
      int levels = repetition == null ? 0 : repetition.length + definition.length;
      if (plain.capacity() < levels + 4 * size) {
        plain = ByteBuffer.allocate(levels + 4 * size).order(ByteOrder.LITTLE_ENDIAN);
      }
      plain.clear();
      if (repetition != null) {
        plain.put(repetition).put(definition);
      }
      plain.asIntBuffer().put(values, 0, size);
      int length = levels + 4 * size;
      return new Page(compress(plain.array(), length), length, entries, rows, stats);
    }

    /** Snappy (raw block format, as Parquet's SNAPPY codec) of {@code bytes[0, length)}. */
    byte[] compress(byte[] bytes, int length) {
      if (compressed.length < Snappy.maxCompressedLength(length)) {
        compressed = new byte[Snappy.maxCompressedLength(length)];
      }
      try {
        return Arrays.copyOf(compressed, Snappy.compress(bytes, 0, length, compressed, 0));
      } catch (IOException e) {
        throw new UncheckedIOException("Snappy failed on a page of " + length + " bytes", e);
      }
    }
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
