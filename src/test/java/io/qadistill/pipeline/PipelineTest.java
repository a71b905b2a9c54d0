package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.cli.Main;
import io.qadistill.common.Provenance;
import io.qadistill.eval.EvaluateJob;
import io.qadistill.eval.PredictJob;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.pipeline.PipelineConfig.Training;
import io.qadistill.squad.ReadResult;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.StandaloneCluster;
import io.qadistill.testing.SystemPython;
import io.qadistill.train.DistillDefaults;
import io.qadistill.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain on the bundled data with a small budget (48 train and 40 dev questions, batches of 4, two
 * training partitions, no dropout), run once in local mode: every stage runs and the report holds both models; the
 * notebook plots the run; a standalone cluster of two workers gives the same tables and figures; a second run
 * reuses every stage, and a training stage cut off before its end resumes. The last test changes the run, so the
 * order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineTest {
  /** all-MiniLM-L6-v2 with a QA head, and the 3-layer student taken from it (as docs/benchmarks.md lists). */
  private static final String TEACHER_PARAMETERS = "22,566,146";
  private static final String STUDENT_PARAMETERS = "17,242,754";
  private static final int TRAIN = 48;
  private static final int DEV = 40;
  private static final int BATCH = 4;
  private static final int PARTITIONS = 2;
  /** The same run as {@link #tiny}, as the command line gives it. */
  private static final String[] TINY_ARGS = {"--train-examples", "" + TRAIN, "--dev-examples", "" + DEV,
      "--batch-size", "" + BATCH, "--partitions", "" + PARTITIONS, "--dropout", "0", "--teacher-epochs", "1",
      "--student-epochs", "1"};

  @TempDir static Path dir;
  private static Path work;
  private static Pipeline.Result first;

  private static PipelineConfig tiny(Path work) {
    return PipelineConfig.embedded(".", work.toString()).withSamples(TRAIN, DEV).withTraining(
        new Training(1, BATCH, PipelineConfig.TEACHER_LEARNING_RATE),
        new Training(1, BATCH, DistillDefaults.LEARNING_RATE), PARTITIONS, 0.0);
  }

  @BeforeAll
  static void runOnce() {
    work = dir.resolve("local");
    first = new Pipeline(tiny(work)).run(LocalSpark.get());
  }

  @Test
  @Order(1)
  void everyStageRunsAndTheReportComparesBothModels() throws Exception {
    assertThat(first.stages()).containsOnlyKeys("read train", "sample train", "featurize train", "read dev",
        "sample dev", "featurize dev", "import all-MiniLM-L6-v2", "fine-tune teacher", "teacher logits",
        "distill student", "export student", "predict teacher", "predict student", "report");
    assertThat(((ReadResult) first.stages().get("read train")).kept()).isEqualTo(9_352);
    assertThat(((ReadResult) first.stages().get("read dev")).kept()).isEqualTo(2_145);
    assertThat(((ExampleSample.Result) first.stages().get("sample dev")).kept()).isEqualTo(DEV);
    FeaturizeJob.Result train = (FeaturizeJob.Result) first.stages().get("featurize train");
    assertThat(train.examples()).isEqualTo(TRAIN);
    assertThat(((FeaturizeJob.Result) first.stages().get("featurize dev")).examples()).isEqualTo(DEV);
    long steps = steps(train.windows());
    TrainJob.Result teacher = (TrainJob.Result) first.stages().get("fine-tune teacher");
    assertThat(teacher.steps()).isEqualTo(steps);
    assertThat(teacher.partitions()).isEqualTo(PARTITIONS);
    assertThat(((TeacherLogitsJob.Result) first.stages().get("teacher logits")).scored()).isEqualTo(train.windows());
    assertThat(((TrainJob.Result) first.stages().get("distill student")).steps()).isEqualTo(steps);
    assertThat(((PredictJob.Result) first.stages().get("predict student")).predictions()).isEqualTo(DEV);
    assertThat(((OnnxExport.Result) first.stages().get("export student")).graphs()).extracting(OnnxExport.Graph::file)
        .containsExactly(work.resolve("student/model.onnx").toString(),
            work.resolve("student/model.int8.onnx").toString());
    assertExportedStudentScoresAsTheStudent();

    String html = Files.readString(Path.of(first.report()));
    assertThat(html).contains("Models: size and speed", TEACHER_PARAMETERS, STUDENT_PARAMETERS, "teacher vs student");
    for (Map<String, Object> summary : List.of(first.teacher(), first.student())) {
      assertThat(summary).containsOnlyKeys("exact_match", "f1");
      assertThat((Double) summary.get("f1")).isBetween((Double) summary.get("exact_match"), 100.0);
    }
    // the CSV copy of the scores, for readers without Parquet
    List<String> csv = Files.readAllLines(csvPart(work.resolve("report/compare_scores_csv")));
    assertThat(csv.get(0)).isEqualTo("id,title,has_answer,exact,f1,question_word,answer_words,context_words,windows");
    assertThat(Files.readString(work.resolve("report/models.json"))).contains("\"name\" : \"student\"",
        "\"parameters\" : 17242754");
  }

  /** Runs where Jupyter, pandas and matplotlib are installed (.ci/run installs them); fails under CI=true without. */
  /**
   * The trained student's model.onnx against the student itself on the dev windows (batched with padding by both):
   * the same logits within 1e-4.
   */
  private static void assertExportedStudentScoresAsTheStudent() {
    List<Row> rows = LocalSpark.get().read().parquet(work.resolve("dev-features").toString())
        .select("input_ids", "token_type_ids").collectAsList();
    List<int[]> ids = rows.stream().map(r -> r.<Integer>getList(0).stream().mapToInt(Integer::intValue).toArray())
        .toList();
    List<int[]> types = rows.stream().map(r -> r.<Integer>getList(1).stream().mapToInt(Integer::intValue).toArray())
        .toList();
    QaScorer.Options padded = new QaScorer.Options(4096, 8);
    List<QaScorer.Logits> expected;
    try (QaModel student = QaModel.load(work.resolve("student"))) {
      expected = student.score(ids, types, padded);
    }
    double max = 0;
    try (OnnxQaSession session = OnnxQaSession.open(work.resolve("student/model.onnx"), 2)) {
      List<QaScorer.Logits> exported = session.score(ids, types, padded);
      for (int r = 0; r < ids.size(); r++) {
        for (int i = 0; i < ids.get(r).length; i++) {
          max = Math.max(max, Math.abs(exported.get(r).start()[i] - expected.get(r).start()[i]));
          max = Math.max(max, Math.abs(exported.get(r).end()[i] - expected.get(r).end()[i]));
        }
      }
    }
    System.out.printf("trained student: max |model.onnx - PyTorch| of the logits = %.3g over %d dev windows%n", max,
        ids.size());
    assertThat(ids).hasSizeGreaterThan(DEV - 1);
    assertThat(max).as("max abs difference of the trained student's logits").isLessThanOrEqualTo(1e-4);
  }

  @Test
  @Order(2)
  void theNotebookPlotsTeacherAgainstStudent() throws Exception {
    SystemPython.require("jupyter-nbconvert python3-pandas python3-matplotlib python3-ipykernel",
        "nbconvert", "ipykernel", "pandas", "matplotlib");
    Path executed = dir.resolve("notebook");
    ProcessBuilder pb = SystemPython.command("-m", "nbconvert", "--to", "notebook", "--execute",
        "--output-dir", executed.toString(), "notebooks/teacher-vs-student.ipynb")
        .redirectErrorStream(true).redirectOutput(dir.resolve("notebook.log").toFile());
    pb.environment().put("QADISTILL_RUN", work.toString());
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the notebook ends").isTrue();
    assertThat(p.exitValue()).as("nbconvert's exit status; its output:\n%s",
        Files.readString(dir.resolve("notebook.log"))).isZero();
    byte[] png = Files.readAllBytes(work.resolve("report/teacher_vs_student.png"));
    assertThat(png).hasSizeGreaterThan(10_000).startsWith(0x89, 'P', 'N', 'G');
    assertThat(Files.readString(executed.resolve("teacher-vs-student.ipynb"))).contains(DEV + " questions");
  }

  @Test
  @Order(3)
  @Timeout(value = 15, unit = TimeUnit.MINUTES) // its driver waits 10 minutes at most; cluster start besides
  void aStandaloneClusterOfTwoWorkersGivesTheSameTablesAndFigures() throws Exception {
    Path clusterWork = dir.resolve("cluster-run");
    String[] args = new String[TINY_ARGS.length + 3];
    args[0] = "pipeline";
    args[1] = "--work";
    args[2] = clusterWork.toString();
    System.arraycopy(TINY_ARGS, 0, args, 3, TINY_ARGS.length);
    try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 1, 2048)) {
      Process driver = cluster.launch("pipeline", Main.class.getName(), Map.of("spark.executor.memory", "1536m",
          "spark.driver.memory", "2g", "qadistill.home", Path.of("").toAbsolutePath().toString()), args);
      assertThat(driver.waitFor(10, TimeUnit.MINUTES)).as("the cluster's pipeline ends").isTrue();
      assertThat(driver.exitValue()).as("its exit status; its log:\n%s",
          StandaloneCluster.tail(cluster.output("pipeline", ".log"))).isZero();
      String log = Files.readString(cluster.output("pipeline", ".log"));
      assertThat(log).as("training over the two executors").contains("in 2 partitions of");
    }
    var result = new ObjectMapper().readTree(Files.readString(dir.resolve("cluster/pipeline.out")));
    assertThat(result.get("teacher").get("f1").asDouble()).isEqualTo((Double) first.teacher().get("f1"));
    assertThat(result.get("teacher").get("exact_match").asDouble())
        .isEqualTo((Double) first.teacher().get("exact_match"));
    assertThat(result.get("student").get("f1").asDouble()).isEqualTo((Double) first.student().get("f1"));
    assertThat(result.get("student").get("exact_match").asDouble())
        .isEqualTo((Double) first.student().get("exact_match"));

    SparkSession spark = LocalSpark.get();
    for (String table : List.of("train-features", "dev-features", "dev-teacher/predictions",
        "dev-student/predictions", "report/scores", "report/compare_scores")) {
      // a score's "ord" (input order, the tie-break of null odds) numbers rows by the partition they were read in
      Dataset<Row> local = spark.read().parquet(work.resolve(table).toString()).drop("ord");
      Dataset<Row> onCluster = spark.read().parquet(clusterWork.resolve(table).toString()).drop("ord");
      assertThat(onCluster.count()).as(table).isEqualTo(local.count()).isPositive();
      assertThat(local.exceptAll(onCluster).count()).as("%s: local rows not on the cluster", table).isZero();
    }
  }

  @Test
  @Order(4)
  void aSecondRunReusesEveryStageAndACutOffTrainingResumes() throws Exception {
    PipelineConfig config = tiny(work);
    Pipeline.Result second = new Pipeline(config).run(LocalSpark.get());
    second.stages().forEach((stage, result) -> {
      if (stage.equals("teacher logits")) {
        assertThat(((TeacherLogitsJob.Result) result).scored()).as(stage).isZero();
      } else {
        assertThat(result).as(stage).isEqualTo("reused");
      }
    });
    assertThat(second.student()).isEqualTo(first.student());

    // A distillation cut off after its last checkpoint but before its final model: the rerun resumes there and
    // repeats no step; what depends on the student runs again (its input changed), the rest is reused; the
    // recomputed predictions and report equal the first run's.
    List<Row> firstPredictions = LocalSpark.get().read().parquet(work.resolve("dev-student/predictions").toString())
        .collectAsList();
    long steps = steps(((FeaturizeJob.Result) first.stages().get("featurize train")).windows());
    Files.delete(work.resolve("student").resolve(Provenance.FILE_NAME));
    Pipeline.Result third = new Pipeline(config).run(LocalSpark.get());
    TrainJob.Result resumed = (TrainJob.Result) third.stages().get("distill student");
    assertThat(resumed.startStep()).isEqualTo(steps);
    assertThat(resumed.steps()).isEqualTo(steps);
    assertThat(third.stages().get("fine-tune teacher")).isEqualTo("reused");
    assertThat(third.stages().get("predict teacher")).isEqualTo("reused");
    assertThat(third.stages().get("predict student")).isInstanceOf(PredictJob.Result.class);
    assertThat(third.stages().get("report")).as("the report, whose input changed").isInstanceOf(
        EvaluateJob.Result.class);
    assertThat(LocalSpark.get().read().parquet(work.resolve("dev-student/predictions").toString()).collectAsList())
        .as("the student's predictions, made again").containsExactlyInAnyOrderElementsOf(firstPredictions);
    assertThat(third.student()).as("the student's summary, computed again").isEqualTo(first.student());
  }

  /** Steps of one pass: each step takes a batch from each partition. */
  private static long steps(long windows) {
    return (windows + (long) BATCH * PARTITIONS - 1) / ((long) BATCH * PARTITIONS);
  }

  private static Path csvPart(Path csvDir) throws Exception {
    try (var parts = Files.list(csvDir)) {
      return parts.filter(p -> p.getFileName().toString().endsWith(".csv")).filter(p -> p.toFile().length() > 0)
          .findFirst().orElseThrow();
    }
  }
}
