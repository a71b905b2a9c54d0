package io.qadistill.train;

import io.qadistill.features.FeaturesTable;
import io.qadistill.model.QaModel;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.SquadWindows;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.stream.Stream;

/**
 * Training inputs as the earlier stages lay them out: a features table of real SQuAD dev windows (the bundled
 * bert-base-uncased tokenizer, 384/128), a tiny 2-layer teacher, and its logits on those windows in the
 * teacher-logits layout ({@code LOGITS/teacher=<id>/run=1/}).
 */
public record TrainFixture(String features, String logits, String teacher, List<SquadWindows.Window> windows) {
  static final String TEACHER_ID = "tiny-teacher";
  private static TrainFixture shared;

  /** One fixture of 40 windows for the test JVM (built once, in a temporary directory; tests only read it). */
  static synchronized TrainFixture shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("train-fixture");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        shared = create(LocalSpark.get(), dir, 40);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  static TrainFixture create(SparkSession spark, Path dir, int count) {
    return create(spark, dir, SquadWindows.first(TestData.devV11(), count),
        TinyModels.save(dir.resolve("teacher"), 2, 3));
  }

  /** The windows as a features table and {@code teacher}'s logits on them, under {@code dir}. */
  public static TrainFixture create(SparkSession spark, Path dir, List<SquadWindows.Window> windows, Path teacher) {
    List<Row> features = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      SquadWindows.Window w = windows.get(i);
      int[] noOffsets = new int[w.length()];
      Arrays.fill(noOffsets, FeaturesTable.NO_OFFSET); // training reads no offsets
      features.add(FeaturesTable.row(String.format("ex%03d", i / 2), i % 2, w.inputIds(), w.tokenTypeIds(),
          noOffsets, noOffsets, w.startPosition(), w.endPosition()));
    }
    String featuresPath = dir.resolve("features").toString();
    FeaturesTable.write(spark.createDataFrame(features, FeaturesTable.SCHEMA), featuresPath);

    String logitsPath = dir.resolve("logits").toString();
    writeLogits(spark, teacher, windows, logitsPath + "/teacher=" + TEACHER_ID + "/run=1");
    return new TrainFixture(featuresPath, logitsPath, teacher.toString(), windows);
  }

  /** The logits of the model in {@code modelDir} on the windows, in the teacher-logits file layout, to {@code dir}. */
  public static void writeLogits(SparkSession spark, Path modelDir, List<SquadWindows.Window> windows, String dir) {
    List<QaScorer.Logits> logits;
    try (QaModel model = ModelDirectory.load(modelDir)) {
      logits = model.score(
          windows.stream().map(SquadWindows.Window::inputIds).toList(),
          windows.stream().map(SquadWindows.Window::tokenTypeIds).toList(), QaScorer.Options.DEFAULT);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      rows.add(RowFactory.create(String.format("ex%03d", i / 2), i % 2, boxed(logits.get(i).start()),
          boxed(logits.get(i).end())));
    }
    StructType schema = new StructType()
        .add("example_id", DataTypes.StringType, false)
        .add("window", DataTypes.IntegerType, false)
        .add("start_logits", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("end_logits", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(dir);
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }
}
