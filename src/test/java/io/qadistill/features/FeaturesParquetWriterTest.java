package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.testing.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-by-column Parquet writer, read back by two readers it shares no code with: Spark's vectorized
 * Parquet reader and parquet-mr's record reader (the reference implementation's assembly of levels into records).
 */
class FeaturesParquetWriterTest {
  private final SparkSession spark = LocalSpark.get();

  /** Random rows: arrays of 0 to 600 ints (empty ones too), ids with multi-byte characters. */
  private static List<Row> rows(int count, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      int n = r % 97 == 0 ? 0 : random.nextInt(600);
      int[][] arrays = new int[4][n];
      for (int[] a : arrays) {
        for (int i = 0; i < n; i++) {
          a[i] = random.nextInt() >> random.nextInt(32);
        }
      }
      String id = (r % 3 == 0 ? "Zürich-😀-" : "q") + r + "x".repeat(random.nextInt(40));
      rows.add(FeaturesTable.row(id, r % 5, arrays[0], arrays[1], arrays[2], arrays[3], random.nextInt(),
          -random.nextInt(400)));
    }
    return rows;
  }

  @Test
  void rowGroupsAndPagesReadBackAsWrittenBySparkAndByParquetMr(@TempDir Path dir) throws IOException {
    List<Row> written = rows(8_000, 3);
    String out = dir.resolve("features").toString();
    // one task: about 38 MB of ints, so two row groups and many pages in each column chunk
    FeaturesTable.write(spark.createDataFrame(written, FeaturesTable.SCHEMA).coalesce(1), out);

    // Spark reads every file column as nullable, whatever the file says
    assertThat(spark.read().parquet(out).schema().simpleString()).isEqualTo(FeaturesTable.SCHEMA.simpleString());
    List<Row> bySpark = spark.read().parquet(out).collectAsList();
    assertThat(bySpark).hasSize(written.size());
    Comparator<Row> byId = Comparator.comparing(r -> r.getString(0));
    List<Row> want = written.stream().sorted(byId).toList();
    List<Row> got = bySpark.stream().sorted(byId).toList();
    for (int r = 0; r < want.size(); r++) {
      assertRowEquals(got.get(r), want.get(r));
    }

    Path file;
    try (Stream<Path> files = Files.list(Path.of(out))) {
      file = files.filter(p -> p.toString().endsWith(".snappy.parquet")).findFirst().orElseThrow();
    }
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(file.toUri());
    ParquetMetadata footer;
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(hadoopPath, conf))) {
      footer = reader.getFooter();
    }
    assertThat(footer.getBlocks()).as("row groups").hasSizeGreaterThanOrEqualTo(2);
    assertThat(footer.getFileMetaData().getSchema().toString()).contains(
        "required binary example_id (STRING);", "required int32 window;",
        "required group input_ids (LIST) {\n    repeated int32 array;\n  }");

    int r = 0;
    try (ParquetReader<Group> records = ParquetReader.builder(new GroupReadSupport(), hadoopPath).withConf(conf)
        .build()) {
      for (Group g = records.read(); g != null; g = records.read(), r++) {
        Row w = written.get(r); // one task writes its rows in order
        assertThat(g.getString("example_id", 0)).isEqualTo(w.getString(0));
        assertThat(g.getInteger("window", 0)).isEqualTo(w.getInt(1));
        for (int c = 2; c < 6; c++) {
          Group list = g.getGroup(c, 0);
          int[] values = new int[list.getFieldRepetitionCount(0)];
          for (int i = 0; i < values.length; i++) {
            values[i] = list.getInteger(0, i);
          }
          assertThat(values).as("row %d column %d", r, c).containsExactly((int[]) w.get(c));
        }
        assertThat(g.getInteger("start_positions", 0)).isEqualTo(w.getInt(6));
        assertThat(g.getInteger("end_positions", 0)).isEqualTo(w.getInt(7));
      }
    }
    assertThat(r).isEqualTo(written.size());
  }

  @Test
  void anEmptyTableIsAFileWithTheSchema(@TempDir Path dir) {
    String out = dir.resolve("empty").toString();
    FeaturesTable.write(spark.createDataFrame(List.of(), FeaturesTable.SCHEMA), out);
    assertThat(spark.read().parquet(out).schema().simpleString()).isEqualTo(FeaturesTable.SCHEMA.simpleString());
    assertThat(spark.read().parquet(out).count()).isZero();
  }

  @Test
  void otherColumnTypesAreRefusedBeforeAnyTaskRuns() {
    StructType floats = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    assertThatThrownBy(() -> FeaturesParquetWriter.parquetSchema(floats))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x array<float>");
    assertThatThrownBy(() -> FeaturesTable.write(spark.createDataFrame(List.of(), floats), "unused"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not the features table's schema");
  }

  private static void assertRowEquals(Row got, Row want) {
    assertThat(got.getString(0)).isEqualTo(want.getString(0));
    assertThat(got.getInt(1)).isEqualTo(want.getInt(1));
    for (int c = 2; c < 6; c++) {
      int[] values = got.<Integer>getList(c).stream().mapToInt(Integer::intValue).toArray();
      assertThat(values).as("%s column %d", want.getString(0), c).containsExactly((int[]) want.get(c));
    }
    assertThat(got.getInt(6)).isEqualTo(want.getInt(6));
    assertThat(got.getInt(7)).isEqualTo(want.getInt(7));
  }

  @Test
  void levelsAreRleRunsBehindTheirLength() {
    FeaturesParquetWriter.Levels levels = new FeaturesParquetWriter.Levels();
    levels.add(0, 1);
    levels.add(1, 199);
    levels.add(1, 1);
    levels.add(0, 1);
    levels.add(1, 0);
    // runs (1 x 0), (200 x 1), (1 x 0): headers 2, 400 (varint 0x90 0x03), 2
    assertThat(levels.toBytes()).containsExactly(7, 0, 0, 0, 2, 0, 0x90, 0x03, 1, 2, 0);
    assertThat(Arrays.copyOf(new FeaturesParquetWriter.Levels().toBytes(), 4)).containsExactly(0, 0, 0, 0);
  }
}
