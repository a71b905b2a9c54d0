package io.qadistill.teacher;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.testing.LocalSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * teacher-logits on real dev-v1.1 windows (those of the file's first 100 questions, cut by featurize) with
 * all-MiniLM-L6-v2 imported from the bundled ONNX file: the logits of each runtime against the same runtime
 * in-process on each window alone, ONNX Runtime's against PyTorch's, the incremental runs against one run over
 * everything, teachers side by side, int8, quarantine and load errors.
 */
class TeacherLogitsJobTest {
  private static final int EXAMPLES = 100;
  private static final double TOLERANCE = 1e-5;
  /** Between runtimes: ONNX Runtime's fused kernels against PyTorch's, as export-onnx's parity holds them. */
  private static final double RUNTIME_TOLERANCE = 1e-4;

  @TempDir static Path tmp;
  static SparkSession spark;
  static Path teacher;
  static String features;
  static long windows;
  /**
   * One run over all the features into an empty directory, with the default runtime (ONNX Runtime here: CPU tasks):
   * the reference of the incremental tests.
   */
  static TeacherLogitsJob.Result all;

  @BeforeAll
  static void scoreAllOnce() {
    spark = LocalSpark.get();
    teacher = DevFeatures.importMiniLm(tmp.resolve("minilm"), 7);
    features = DevFeatures.firstExamples(spark, tmp, EXAMPLES);
    windows = spark.read().parquet(features).count();
    all = new TeacherLogitsJob(config(features, teacher, tmp.resolve("logits-all"))).run(spark);
  }

  private static TeacherLogitsConfig config(String features, Path teacher, Path out) {
    return config(features, teacher, out, ScoringRuntime.DEFAULT, false);
  }

  private static TeacherLogitsConfig config(String features, Path teacher, Path out, ScoringRuntime runtime,
      boolean int8) {
    // small tasks, so that even these few rows spread over both cores and several batches
    return new TeacherLogitsConfig(features, teacher.toString(), out.toString(), 0, 0, 40, runtime, int8);
  }

  @Test
  void logitsEqualTheTeachersGraphOnEachWindowAloneWithoutPadding() {
    assertThat(windows).as("windows of the first %d dev questions", EXAMPLES).isGreaterThanOrEqualTo(EXAMPLES);
    assertThat(all.scored()).isEqualTo(windows);
    assertThat(all.skipped()).isZero();
    assertThat(all.quarantined()).isZero();
    assertThat(all.teacher()).isEqualTo(ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(),
        teacher.toString()));
    assertThat(all.runtime()).as("the default on CPU tasks").isEqualTo("onnx (model.onnx)");
    assertThat(teacher.resolve("model.onnx.sha256")).as("the graph, kept beside the weights").exists();

    // one thread, as each Spark task of local[2] uses: two would fight the tasks of other tests for 2 cores
    try (OnnxQaSession graph = OnnxQaSession.open(teacher.resolve("model.onnx"), 1)) {
      assertLogitsAreAlone(all, graph, "the teacher's graph");
    }
  }

  /**
   * The same windows with {@code --runtime pytorch}: the model's logits on each window alone, and ONNX Runtime's
   * (the default run) within {@value #RUNTIME_TOLERANCE} of them.
   */
  @Test
  void pyTorchGivesTheModelsLogitsAndOnnxRuntimeGivesThemWithin1e4() throws IOException {
    TeacherLogitsJob.Result pytorch = new TeacherLogitsJob(config(features, teacher,
        tmp.resolve("logits-pytorch"), ScoringRuntime.PYTORCH, false)).run(spark);
    assertThat(pytorch.runtime()).isEqualTo("pytorch");
    assertThat(pytorch.teacher()).as("the same teacher whatever scores it").isEqualTo(all.teacher());
    assertThat(pytorch.scored()).isEqualTo(windows);
    Runtimes.setThreads(1);
    try (QaModel model = ModelDirectory.load(teacher)) {
      assertLogitsAreAlone(pytorch, model, "the PyTorch model");
    }

    Map<String, Row> onnx = byKey(LogitsTable.read(spark, all.out(), all.teacher()));
    double maxDiff = maxDiff(onnx, byKey(LogitsTable.read(spark, pytorch.out(), pytorch.teacher())));
    System.out.printf("teacher logits: max |onnx - pytorch| = %.3g over %d windows%n", maxDiff, windows);
    assertThat(maxDiff).as("max abs diff between the runtimes' logits").isLessThanOrEqualTo(RUNTIME_TOLERANCE);

    // the runtime asked for is recorded beside the logits
    assertThat(Files.readString(Path.of(all.run().replaceFirst("^file:", "")).resolve("_provenance.json")))
        .contains("\"runtime\" : \"auto\"", "\"int8\" : false");
    assertThat(Files.readString(Path.of(pytorch.run().replaceFirst("^file:", "")).resolve("_provenance.json")))
        .contains("\"runtime\" : \"pytorch\"");
  }

  /** {@code result}'s logits against {@code scorer} in-process on each window alone (batches of one, unpadded). */
  private static void assertLogitsAreAlone(TeacherLogitsJob.Result result, QaScorer scorer, String what) {
    Map<String, Row> logits = byKey(LogitsTable.read(spark, result.out(), result.teacher()));
    assertThat(logits).hasSize((int) windows);
    List<Row> rows = spark.read().parquet(features).collectAsList();
    List<int[]> ids = rows.stream().map(r -> FeatureCheck.ints(r.getList(r.fieldIndex(FeaturesTable.INPUT_IDS))))
        .toList();
    List<int[]> types = rows.stream().map(r -> FeatureCheck.ints(r.getList(r.fieldIndex(FeaturesTable.TOKEN_TYPE_IDS))))
        .toList();
    double maxDiff = 0;
    double maxAbs = 0;
    List<QaScorer.Logits> alone = scorer.score(ids, types, new QaScorer.Options(1, 1));
    for (int i = 0; i < rows.size(); i++) {
      Row stored = logits.get(key(rows.get(i)));
      assertThat(stored).as("logits of %s", key(rows.get(i))).isNotNull();
      assertThat(stored.<String>getAs("teacher")).isEqualTo(result.teacher());
      float[][] got = {floats(stored.getList(stored.fieldIndex("start_logits"))),
          floats(stored.getList(stored.fieldIndex("end_logits")))};
      float[][] want = {alone.get(i).start(), alone.get(i).end()};
      for (int k = 0; k < 2; k++) {
        assertThat(got[k]).as("logits per token of %s", key(rows.get(i))).hasSize(ids.get(i).length);
        for (int t = 0; t < got[k].length; t++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[k][t] - want[k][t]));
          maxAbs = Math.max(maxAbs, Math.abs(want[k][t]));
        }
      }
    }
    System.out.printf("teacher logits (%s): %d windows, max |parquet - alone| = %.3g, max |logit| = %.3g%n",
        result.runtime(), rows.size(), maxDiff, maxAbs);
    assertThat(maxAbs).as("logits that are not all zero").isGreaterThan(0.01);
    assertThat(maxDiff).as("max abs diff against %s on each window alone", what).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void halfThenAllGivesWhatOneRunGivesAndAThirdRunChangesNothing() throws IOException {
    Dataset<Row> everything = spark.read().parquet(features);
    String half = tmp.resolve("half-features").toString();
    // whole questions: every window of an example goes into the same half, as when new questions arrive
    everything.where(pmod(hash(col("example_id")), lit(2)).equalTo(0)).write().parquet(half);
    long halfWindows = spark.read().parquet(half).count();
    assertThat(halfWindows).isBetween(windows / 4, windows * 3 / 4);
    Path out = tmp.resolve("logits-incremental");

    TeacherLogitsJob.Result first = new TeacherLogitsJob(config(half, teacher, out)).run(spark);
    assertThat(first.scored()).isEqualTo(halfWindows);
    assertThat(first.run()).endsWith("teacher=" + all.teacher() + "/run=1");

    // what a run that died would leave: a staged directory with real rows, which readers must never see
    Path dead = Files.createDirectories(out.resolve("_staging/dead-run/logits"));
    try (Stream<Path> parts = Files.list(Path.of(first.run().replaceFirst("^file:", "")))) {
      Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.copy(part, dead.resolve(part.getFileName()));
    }
    assertThat(LogitsTable.read(spark, out.toString(), null).count()).isEqualTo(halfWindows);

    TeacherLogitsJob.Result second = new TeacherLogitsJob(config(features, teacher, out)).run(spark);
    assertThat(second.scored()).isEqualTo(windows - halfWindows);
    assertThat(second.skipped()).isEqualTo(halfWindows);
    assertThat(second.run()).endsWith("/run=2");
    assertThat(out.resolve("_staging/dead-run")).doesNotExist();

    Map<String, Row> incremental = byKey(LogitsTable.read(spark, out.toString(), all.teacher()));
    Map<String, Row> once = byKey(LogitsTable.read(spark, all.out(), all.teacher()));
    assertThat(LogitsTable.read(spark, out.toString(), null).count()).as("rows, each key once").isEqualTo(windows);
    double maxDiff = maxDiff(once, incremental);
    assertThat(maxDiff).as("max abs diff between half-then-all and one run").isLessThanOrEqualTo(TOLERANCE);

    List<String> files = files(out);
    TeacherLogitsJob.Result third = new TeacherLogitsJob(config(features, teacher, out)).run(spark);
    assertThat(third.scored()).isZero();
    assertThat(third.skipped()).isEqualTo(windows);
    assertThat(third.run()).isNull();
    assertThat(files(out)).as("files after a run with nothing to do").isEqualTo(files);
  }

  @Test
  void aNewTeacherWritesBesideTheOldOne() throws IOException {
    Path other = DevFeatures.importMiniLm(tmp.resolve("minilm-seed-8"), 8);
    String few = tmp.resolve("few-features").toString();
    spark.read().parquet(features).limit(20).write().parquet(few);
    Path out = tmp.resolve("logits-two-teachers");
    TeacherLogitsJob.Result a = new TeacherLogitsJob(config(few, teacher, out)).run(spark);
    List<String> filesOfA = files(out);

    TeacherLogitsJob.Result b = new TeacherLogitsJob(config(few, other, out)).run(spark);
    assertThat(b.teacher()).isNotEqualTo(a.teacher());
    assertThat(b.scored()).as("nothing of teacher A counts for teacher B").isEqualTo(20);
    assertThat(b.run()).endsWith("teacher=" + b.teacher() + "/run=1");
    assertThat(files(out)).containsAll(filesOfA);
    assertThat(LogitsTable.read(spark, out.toString(), null).groupBy("teacher").count().collectAsList())
        .extracting(r -> r.getString(0) + ":" + r.getLong(1))
        .containsExactlyInAnyOrder(a.teacher() + ":20", b.teacher() + ":20");
    // another QA head, other logits for the same window
    Map<String, Row> ofA = byKey(LogitsTable.read(spark, out.toString(), a.teacher()));
    Map<String, Row> ofB = byKey(LogitsTable.read(spark, out.toString(), b.teacher()));
    String someKey = ofA.keySet().iterator().next();
    assertThat(floats(ofB.get(someKey).getList(ofB.get(someKey).fieldIndex("start_logits"))))
        .isNotEqualTo(floats(ofA.get(someKey).getList(ofA.get(someKey).fieldIndex("start_logits"))));
  }

  /** --int8 (with the default runtime) scores with model.int8.onnx: close to the float32 graph's logits. */
  @Test
  void int8ScoresWithTheQuantizedGraph() {
    String few = tmp.resolve("int8-features").toString();
    spark.read().parquet(features).limit(30).write().parquet(few);
    TeacherLogitsJob.Result int8 = new TeacherLogitsJob(config(few, teacher, tmp.resolve("logits-int8"),
        ScoringRuntime.DEFAULT, true)).run(spark);
    assertThat(int8.runtime()).isEqualTo("onnx (model.int8.onnx)");
    assertThat(int8.scored()).isEqualTo(30);
    assertThat(teacher.resolve("model.int8.onnx.sha256")).exists();
    Map<String, Row> quantized = byKey(LogitsTable.read(spark, int8.out(), int8.teacher()));
    Map<String, Row> exact = byKey(LogitsTable.read(spark, all.out(), all.teacher()));
    exact.keySet().retainAll(quantized.keySet());
    // the correlation of the two graphs' logits over every token: the QA head here is random, so the logits are
    // small (|logit| < 1) and an absolute bound would say little
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double syy = 0;
    double sxy = 0;
    for (Map.Entry<String, Row> e : exact.entrySet()) {
      for (String column : List.of("start_logits", "end_logits")) {
        float[] x = floats(e.getValue().getList(e.getValue().fieldIndex(column)));
        float[] y = floats(quantized.get(e.getKey()).getList(quantized.get(e.getKey()).fieldIndex(column)));
        for (int t = 0; t < x.length; t++) {
          n++;
          sx += x[t];
          sy += y[t];
          sxx += (double) x[t] * x[t];
          syy += (double) y[t] * y[t];
          sxy += (double) x[t] * y[t];
        }
      }
    }
    double correlation = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    double maxDiff = maxDiff(exact, quantized);
    System.out.printf("teacher logits: int8 against float32 over %.0f tokens: max |diff| %.3g, correlation %.4f%n",
        n, maxDiff, correlation);
    assertThat(maxDiff).as("int8 is another graph than float32").isGreaterThan(RUNTIME_TOLERANCE);
    assertThat(correlation).as("correlation of int8's logits with float32's").isGreaterThan(0.95);
  }

  /**
   * What cannot score is refused before any row is read, naming the file or the option: ONNX Runtime for a
   * TorchScript file, --int8 with PyTorch, and a cached model.onnx whose bytes no longer match its SHA-256.
   */
  @Test
  void aRuntimeThatCannotScoreOrACorruptGraphIsAnErrorNamingTheFileOrTheOption() throws Exception {
    Path traced = Path.of(TeacherLogitsJobTest.class.getResource("/torchscript/tiny-bert-qa.pt").toURI());
    assertThatThrownBy(() -> new TeacherLogitsJob(config(features, traced, tmp.resolve("logits-pt-onnx"),
        ScoringRuntime.ONNX, false)).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--runtime onnx cannot score " + traced).hasMessageContaining("TorchScript");
    assertThatThrownBy(() -> new TeacherLogitsJob(config(features, teacher, tmp.resolve("logits-int8-pt"),
        ScoringRuntime.PYTORCH, true)).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--int8").hasMessageContaining("needs --runtime onnx");

    // a copy of the teacher whose cached graph lost a bit: ONNX Runtime would load it and score wrongly
    Path copy = Files.createDirectories(tmp.resolve("teacher-corrupt-graph"));
    for (String name : List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS, ModelDirectory.TOKENIZER,
        "model.onnx", "model.onnx.sha256")) {
      Files.copy(teacher.resolve(name), copy.resolve(name));
    }
    byte[] graph = Files.readAllBytes(copy.resolve("model.onnx"));
    graph[graph.length / 2] ^= 1;
    Files.write(copy.resolve("model.onnx"), graph);
    assertThatThrownBy(() -> new TeacherLogitsJob(config(features, copy, tmp.resolve("logits-corrupt"))).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining(copy.resolve("model.onnx") + " is corrupt").hasMessageContaining("delete it");
    for (String out : List.of("logits-pt-onnx", "logits-int8-pt", "logits-corrupt")) {
      assertThat(tmp.resolve(out)).as("nothing written").doesNotExist();
    }
  }

  @Test
  void rowsTheTeacherCannotTakeAreQuarantinedWithKeyAndReason() {
    List<Row> real = spark.read().parquet(features).limit(5).collectAsList();
    List<Row> rows = new ArrayList<>(real);
    rows.add(changed(real.get(0), "-types-short", FeaturesTable.TOKEN_TYPE_IDS, List.of(0, 0, 0)));
    List<Integer> outside = new ArrayList<>(real.get(1).getList(real.get(1).fieldIndex(FeaturesTable.INPUT_IDS)));
    outside.set(3, 30_522); // the vocabulary has ids 0 .. 30521
    rows.add(changed(real.get(1), "-id-outside", FeaturesTable.INPUT_IDS, outside));
    List<Integer> negative = new ArrayList<>(real.get(2).getList(real.get(2).fieldIndex(FeaturesTable.INPUT_IDS)));
    negative.set(3, -1);
    rows.add(changed(real.get(2), "-id-negative", FeaturesTable.INPUT_IDS, negative));
    String bad = tmp.resolve("bad-features").toString();
    FeaturesTable.write(spark.createDataFrame(rows, FeaturesTable.SCHEMA), bad);
    Path out = tmp.resolve("logits-quarantine");

    TeacherLogitsJob.Result result = new TeacherLogitsJob(config(bad, teacher, out)).run(spark);
    assertThat(result.scored()).isEqualTo(5);
    assertThat(result.quarantined()).isEqualTo(3);
    assertThat(result.quarantinedByReason()).containsExactlyInAnyOrderEntriesOf(Map.of(
        FeatureCheck.LENGTH_MISMATCH, 1L, FeatureCheck.ID_OUT_OF_VOCABULARY, 2L));
    List<Row> quarantined = LogitsTable.readQuarantine(spark, out.toString(), result.teacher())
        .orderBy("id").collectAsList();
    assertThat(quarantined).extracting(r -> r.getAs("id") + " " + r.getAs("location") + " " + r.getAs("reason"))
        .containsExactlyInAnyOrder(
            real.get(0).getString(0) + "-types-short window " + real.get(0).getInt(1) + " length_mismatch",
            real.get(1).getString(0) + "-id-outside window " + real.get(1).getInt(1) + " id_out_of_vocabulary",
            real.get(2).getString(0) + "-id-negative window " + real.get(2).getInt(1) + " id_out_of_vocabulary");
    assertThat(quarantined).allSatisfy(r -> {
      assertThat(r.<String>getAs("file")).isEqualTo(bad);
      assertThat(r.<String>getAs("raw")).contains("\"input_ids\":[");
      assertThat(r.<String>getAs("teacher")).isEqualTo(result.teacher());
    });
    assertThat(quarantined).extracting(r -> r.<String>getAs("detail")).contains(
        "input_ids has " + real.get(0).getList(2).size() + " elements, token_type_ids 3",
        "input_ids[3] = 30522, the teacher's vocab_size is 30522",
        "input_ids[3] = -1, the teacher's vocab_size is 30522");
    assertThat(LogitsTable.read(spark, out.toString(), result.teacher()).count()).isEqualTo(5);

    TeacherLogitsJob.Result again = new TeacherLogitsJob(config(bad, teacher, out)).run(spark);
    assertThat(again.scored()).isZero();
    assertThat(again.quarantined()).isZero();
    assertThat(again.skipped()).as("quarantined rows count as done").isEqualTo(8);
  }

  @Test
  void aTeacherThatDoesNotLoadNamesTheFileAndTheCause() throws IOException {
    Path broken = Files.createDirectories(tmp.resolve("broken-teacher"));
    for (String name : List.of(ModelDirectory.CONFIG, ModelDirectory.TOKENIZER)) {
      Files.copy(teacher.resolve(name), broken.resolve(name));
    }
    byte[] weights = Files.readAllBytes(teacher.resolve(ModelDirectory.WEIGHTS));
    Files.write(broken.resolve(ModelDirectory.WEIGHTS), java.util.Arrays.copyOf(weights, weights.length / 2));
    assertThatThrownBy(() -> new TeacherLogitsJob(config(features, broken, tmp.resolve("logits-broken"))).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("teacher " + broken + " does not load")
        .hasMessageContaining(ModelDirectory.WEIGHTS);

    Path empty = Files.createDirectories(tmp.resolve("empty-teacher"));
    assertThatThrownBy(() -> new TeacherLogitsJob(config(features, empty, tmp.resolve("logits-empty"))).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("teacher " + empty + " has no config.json");
    assertThat(tmp.resolve("logits-broken")).doesNotExist();
  }

  @Test
  void aTorchScriptTeacherScoresWhatItGivesInProcessUnderAFingerprintOfItsFile() throws Exception {
    Path traced = Path.of(TeacherLogitsJobTest.class.getResource("/torchscript/tiny-bert-qa.pt").toURI());
    // the fixture: 2 layers, vocabulary 1,000, windows up to 64 tokens (its config.json)
    Random random = new Random(5);
    List<Row> rows = new ArrayList<>();
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    for (int r = 0; r < 7; r++) {
      int n = r == 6 ? 65 : 8 + 9 * r;
      int[] rowIds = new int[n];
      int[] rowTypes = new int[n];
      int[] noOffsets = new int[n];
      for (int t = 0; t < n; t++) {
        rowIds[t] = t == 0 ? 101 : random.nextInt(1000);
        rowTypes[t] = t < n / 3 ? 0 : 1;
        noOffsets[t] = FeaturesTable.NO_OFFSET;
      }
      rows.add(FeaturesTable.row("ts-" + r, 0, rowIds, rowTypes, noOffsets, noOffsets, 0, 0));
      ids.add(rowIds);
      types.add(rowTypes);
    }
    String tiny = tmp.resolve("tiny-features").toString();
    FeaturesTable.write(spark.createDataFrame(rows, FeaturesTable.SCHEMA), tiny);
    Path out = tmp.resolve("logits-torchscript");

    TeacherLogitsJob.Result result = new TeacherLogitsJob(config(tiny, traced, out)).run(spark);
    assertThat(result.runtime()).as("the default for a TorchScript file").isEqualTo("pytorch");
    assertThat(result.scored()).isEqualTo(6);
    assertThat(result.quarantinedByReason()).containsExactlyEntriesOf(Map.of(FeatureCheck.TOO_LONG, 1L));
    Path renamed = Files.createDirectories(tmp.resolve("renamed")).resolve("teacher.pt");
    Files.copy(traced, renamed);
    assertThat(ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), renamed.toString()))
        .as("fingerprint of the same file under another name").isEqualTo(result.teacher())
        .isNotEqualTo(all.teacher());

    Map<String, Row> logits = byKey(LogitsTable.read(spark, out.toString(), result.teacher()));
    double maxDiff = 0;
    try (QaScorer model = QaScorer.load(traced, null)) {
      List<QaScorer.Logits> alone = model.score(ids.subList(0, 6), types.subList(0, 6), new QaScorer.Options(1, 1));
      for (int i = 0; i < 6; i++) {
        Row stored = logits.get("ts-" + i + "#0");
        float[] start = floats(stored.getList(stored.fieldIndex("start_logits")));
        float[] end = floats(stored.getList(stored.fieldIndex("end_logits")));
        assertThat(start).hasSize(ids.get(i).length);
        for (int t = 0; t < start.length; t++) {
          maxDiff = Math.max(maxDiff, Math.max(Math.abs(start[t] - alone.get(i).start()[t]),
              Math.abs(end[t] - alone.get(i).end()[t])));
        }
      }
    }
    assertThat(maxDiff).as("max abs diff against the TorchScript model on each row alone")
        .isLessThanOrEqualTo(TOLERANCE);
  }

  private static Row changed(Row row, String idSuffix, String column, List<Integer> values) {
    Object[] fields = new Object[row.size()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = row.get(i);
    }
    fields[0] = row.getString(0) + idSuffix;
    fields[row.fieldIndex(column)] = values;
    return RowFactory.create(fields);
  }

  private static String key(Row r) {
    return r.getAs("example_id") + "#" + r.getAs("window");
  }

  private static Map<String, Row> byKey(Dataset<Row> table) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : table.collectAsList()) {
      assertThat(out.put(key(r), r)).as("a second row for %s", key(r)).isNull();
    }
    return out;
  }

  /** The largest difference between two logits tables' values, which must hold the same keys and lengths. */
  private static double maxDiff(Map<String, Row> a, Map<String, Row> b) {
    assertThat(b.keySet()).isEqualTo(a.keySet());
    double max = 0;
    for (Map.Entry<String, Row> e : a.entrySet()) {
      for (String column : List.of("start_logits", "end_logits")) {
        float[] x = floats(e.getValue().getList(e.getValue().fieldIndex(column)));
        float[] y = floats(b.get(e.getKey()).getList(b.get(e.getKey()).fieldIndex(column)));
        assertThat(y).as("%s of %s", column, e.getKey()).hasSameSizeAs(x);
        for (int t = 0; t < x.length; t++) {
          max = Math.max(max, Math.abs(x[t] - y[t]));
        }
      }
    }
    return max;
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static List<String> files(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
