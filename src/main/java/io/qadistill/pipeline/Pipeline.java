package io.qadistill.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.Provenance;
import io.qadistill.eval.EvaluateJob;
import io.qadistill.eval.ModelFacts;
import io.qadistill.eval.PredictJob;
import io.qadistill.eval.PredictionsTable;
import io.qadistill.features.FeaturesTable;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadInput;
import io.qadistill.squad.ReadJob;
import io.qadistill.teacher.TeacherFingerprint;
import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.train.CheckpointSettings;
import io.qadistill.train.DistillLoss;
import io.qadistill.model.StudentSpec;
import io.qadistill.train.TrainConfig;
import io.qadistill.train.TrainJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages in order: read and featurize train and dev (each on a fixed sample when asked) → a teacher
 * (given, or fine-tuned from the bundled all-MiniLM-L6-v2) → its logits on the train windows → a student
 * distilled from them → predictions of both on dev → one report comparing them (quality, size, speed). Each stage
 * is skipped when its output is already there and current ({@link StageCache}); a training stage that was cut off
 * resumes from its newest checkpoint; so a rerun after a failure continues where it stopped.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Dev windows each model's speed is measured on, and the turns each takes. */
  private static final int SPEED_WINDOWS = 128;
  private static final int SPEED_ROUNDS = 2;

  /**
   * Where the report is, both models' official summaries, and each stage's result record (or "reused" when its
   * output was current), in the order they ran.
   */
  public record Result(String work, String report, Map<String, Object> teacher, Map<String, Object> student,
      Map<String, Object> stages) {}

  /** A stage's entry in {@link Result#stages} when its output was current. */
  private static final String REUSED = "reused";

  private final PipelineConfig config;
  private final Map<String, Object> stages = new LinkedHashMap<>();
  private StageCache cache;

  public Pipeline(PipelineConfig config) {
    this.config = config;
  }

  public Result run(SparkSession spark) {
    cache = new StageCache(spark.sparkContext().hadoopConfiguration());
    String tokenizer = config.teacher() == null ? null : config.teacher() + "/" + ModelDirectory.TOKENIZER;
    String trainFeatures = examplesAndFeatures(spark, "train", config.train(), config.trainExamples(), tokenizer);
    String devFeatures = examplesAndFeatures(spark, "dev", config.dev(), config.devExamples(), tokenizer);
    String trainExamples = examples("train");
    String devExamples = examples("dev");

    String teacher = config.teacher() != null ? config.teacher() : fineTunedTeacher(spark, trainFeatures);

    TeacherLogitsConfig logits = TeacherLogitsConfig.defaults(trainFeatures, teacher, config.path("train-logits"))
        .withScoring(config.runtime(), config.int8());
    LOG.info("pipeline: teacher logits (incremental: scores only windows without them) ...");
    TeacherLogitsJob.Result scored = TeacherLogitsJob.run(spark, logits);
    stages.put("teacher logits", scored);

    String student = config.path("student");
    StudentSpec spec = StudentSpec.fromSource(teacher, config.studentLayers(), config.seed());
    train(spark, "distill student", trainFeatures, logits.out(), scored.teacher(), student,
        config.dropout() != null ? spec.withDropout(config.dropout()) : spec, DistillLoss.DEFAULT,
        config.studentTraining());
    // the student users serve: its ONNX graphs in its directory (made again only when its weights changed)
    LOG.info("pipeline: export the student to ONNX ...");
    OnnxExport.Result exported = OnnxExport.run(new OnnxExport.Config(localPath(student), null, true,
        () -> TeacherFingerprint.of(spark.sparkContext().hadoopConfiguration(), student)));
    stages.put("export student", exported.reused() ? REUSED : exported);

    Map<String, String> models = new LinkedHashMap<>();
    models.put("teacher", teacher);
    models.put("student", student);
    Map<String, String> predictions = new LinkedHashMap<>();
    models.forEach((name, dir) -> {
      PredictJob.Config predict = PredictJob.Config.ofModel(devExamples, devFeatures, dir, config.path("dev-" + name),
          config.runtime(), config.int8());
      stage("predict " + name, predict.output(), predict, () -> new PredictJob(predict).run(spark));
      predictions.put(name, predict.output() + "/" + PredictionsTable.TABLE);
    });

    EvaluateJob.Config evaluate = new EvaluateJob.Config(devExamples, predictions.get("teacher"), null,
        predictions.get("student"), null, devFeatures, config.path("report"), null,
        EvaluateJob.Config.NA_PROB_THRESHOLD, "teacher", "student");
    stage("report", evaluate.output(), evaluate,
        () -> new EvaluateJob(evaluate, speeds(spark, models, devFeatures)).run(spark));

    String report = evaluate.output() + "/report.html";
    LOG.info("pipeline: report at {}", report);
    return new Result(config.work(), report, summary(spark, evaluate.output() + "/summary.json"),
        summary(spark, evaluate.output() + "/compare_summary.json"), stages);
  }

  /** A directory the driver writes as files (a model directory): a local path, or a {@code file:} URI. */
  private static Path localPath(String dir) {
    return dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
  }

  /** Read → (sample) → featurize of one split; returns the features table. */
  private String examplesAndFeatures(SparkSession spark, String split, ReadInput input, int sample,
      String tokenizer) {
    ReadConfig read = ReadConfig.of(input, config.path(split + "-examples"));
    stage("read " + split, read.examples(), read, () -> new ReadJob(read).run(spark));
    String examples = read.examples();
    if (sample > 0) {
      ExampleSample.Config sampled = new ExampleSample.Config(read.examples(), examples(split), sample);
      stage("sample " + split, sampled.out(), sampled, () -> new ExampleSample(sampled).run(spark));
      examples = sampled.out();
    }
    FeaturizeConfig featurize = new FeaturizeConfig(examples, config.path(split + "-features"),
        config.path(split + "-features-quarantine"), tokenizer, config.maxLength(), config.docStride());
    stage("featurize " + split, featurize.out(), featurize, () -> new FeaturizeJob(featurize).run(spark));
    return featurize.out();
  }

  /** The examples table a split's later stages use: the sample when one is taken. */
  private String examples(String split) {
    int sample = split.equals("train") ? config.trainExamples() : config.devExamples();
    return config.path(split + (sample > 0 ? "-examples-sample" : "-examples"));
  }

  /** all-MiniLM-L6-v2 from its Maven jar, fine-tuned on the train windows (hard labels only). */
  private String fineTunedTeacher(SparkSession spark, String trainFeatures) {
    OnnxImport.Config base = new OnnxImport.Config(OnnxImport.CLASSPATH, Path.of(config.path("minilm")), null,
        config.seed());
    stage("import all-MiniLM-L6-v2", config.path("minilm"), base, () -> new OnnxImport(base).run(spark));
    String teacher = config.path("teacher");
    StudentSpec whole = StudentSpec.fromSource(config.path("minilm"), 0, config.seed());
    train(spark, "fine-tune teacher", trainFeatures, null, null, teacher,
        config.dropout() != null ? whole.withDropout(config.dropout()) : whole, DistillLoss.FINE_TUNE,
        config.teacherTraining());
    return teacher;
  }

  /**
   * A training stage: a few checkpoints per run, only the newest kept (one holds the model and AdamW's two
   * moments), a progress line every 5% of the steps; the training job says what that makes for these windows. An
   * output that is complete but of another configuration is removed first; one without a final model (a run cut
   * off) is resumed from its newest checkpoint, which the trainer checks belongs to this same run.
   */
  private void train(SparkSession spark, String name, String features, String logits, String teacher, String out,
      StudentSpec student, DistillLoss loss, PipelineConfig.Training training) {
    TrainConfig train = new TrainConfig(features, logits, teacher, out, student, loss, config.optimizer(training),
        config.batches(training), new CheckpointSettings(0.25, 1, true, 0), 0.05, 0);
    if (!cache.isCurrent(out, train) && cache.isComplete(out)) {
      LOG.info("pipeline: {} in {} is of another configuration or older than its inputs: training afresh",
          name, out);
      deleteTree(Path.of(out));
    }
    stage(name, out, train, () -> TrainJob.run(spark, train));
  }

  /** Size and speed of each model, measured side by side on the first dev windows, with the run's runtime. */
  private List<ModelFacts> speeds(SparkSession spark, Map<String, String> models, String devFeatures) {
    List<Row> rows = FeaturesTable.read(spark, devFeatures, FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW,
            FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS)
        .orderBy(FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW)
        .select(FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS).limit(SPEED_WINDOWS).collectAsList();
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    for (Row r : rows) {
      ids.add(r.<Integer>getList(0).stream().mapToInt(Integer::intValue).toArray());
      types.add(r.<Integer>getList(1).stream().mapToInt(Integer::intValue).toArray());
    }
    int threads = Runtime.getRuntime().availableProcessors();
    LOG.info("pipeline: measuring each model's speed on {} dev windows, {} threads ...", ids.size(), threads);
    return ModelFacts.measure(models, ids, types, threads, SPEED_ROUNDS, config.runtime(), config.int8());
  }

  private void stage(String name, String output, Object stageConfig, Supplier<Object> job) {
    if (cache.isCurrent(output, stageConfig)) {
      LOG.info("pipeline: {} is current in {}, reused", name, output);
      stages.put(name, REUSED);
      return;
    }
    LOG.info("pipeline: {} ...", name);
    stages.put(name, job.get());
  }

  private static Map<String, Object> summary(SparkSession spark, String file) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
    try (InputStream in = path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path)) {
      return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir + ": remove it by hand and run again", e);
    }
  }
}
