package io.qadistill.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.Stage;
import io.qadistill.eval.EvaluateJob;
import io.qadistill.eval.PredictJob;
import io.qadistill.eval.PredictionsTable;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadInput;
import io.qadistill.squad.ReadJob;
import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.train.CheckpointSettings;
import io.qadistill.train.DistillLoss;
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
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline: a list of stages ({@link #stages()}), run in order: read and featurize train and dev (each on a
 * fixed sample when asked) → a teacher (given, or fine-tuned from the bundled all-MiniLM-L6-v2) → its logits on the
 * train windows → a student distilled from them → its ONNX graphs → predictions of both on dev → one report
 * comparing them (quality, size, speed). Each stage is skipped when its output is already there and current
 * ({@link StageCache}); a training stage that was cut off resumes from its newest checkpoint; so a rerun after a
 * failure continues where it stopped. Every stage's configuration names its inputs by path, so the whole list is
 * known before the first runs (the teacher's fingerprint, for one, is taken when distillation starts).
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Where the report is, both models' official summaries, and each stage's result record (or "reused" when its
   * output was current), in the order they ran.
   */
  public record Result(String work, String report, Map<String, Object> teacher, Map<String, Object> student,
      Map<String, Object> stages) {}

  /**
   * A stage as the pipeline runs it, under a label. {@code restartsWhenStale}: an output that is complete but not
   * current is removed first (a training directory of another configuration, which the stage would otherwise
   * resume).
   */
  record Step(String label, Stage<?> stage, boolean restartsWhenStale) {
    Step(String label, Stage<?> stage) {
      this(label, stage, false);
    }
  }

  /** A stage's entry in {@link Result#stages} when its output was current. */
  private static final String REUSED = "reused";

  private final PipelineConfig config;

  public Pipeline(PipelineConfig config) {
    this.config = config;
  }

  public Result run(SparkSession spark) {
    StageCache cache = new StageCache(spark.sparkContext().hadoopConfiguration());
    Map<String, Object> results = new LinkedHashMap<>();
    for (Step step : stages()) {
      String output = step.stage().outputs().get(0);
      if (cache.isCurrent(step.stage())) {
        LOG.info("pipeline: {} is current in {}, reused", step.label(), output);
        results.put(step.label(), REUSED);
        continue;
      }
      if (step.restartsWhenStale() && cache.isComplete(output)) {
        LOG.info("pipeline: {} in {} is of another configuration or older than its inputs: starting afresh",
            step.label(), output);
        deleteTree(localPath(output));
      }
      LOG.info("pipeline: {} ...", step.label());
      results.put(step.label(), step.stage().run(spark));
    }
    String report = config.path("report");
    LOG.info("pipeline: report at {}/report.html", report);
    return new Result(config.work(), report + "/report.html", summary(spark, report + "/summary.json"),
        summary(spark, report + "/compare_summary.json"), results);
  }

  /** The stages, in the order they run. */
  List<Step> stages() {
    List<Step> steps = new ArrayList<>();
    String tokenizer = config.teacher() == null ? null : config.teacher() + "/" + ModelDirectory.TOKENIZER;
    String trainFeatures = examplesAndFeatures(steps, "train", config.train(), config.trainExamples(), tokenizer);
    String devFeatures = examplesAndFeatures(steps, "dev", config.dev(), config.devExamples(), tokenizer);
    String teacher = config.teacher() != null ? config.teacher() : fineTunedTeacher(steps, trainFeatures);

    TeacherLogitsConfig logits = TeacherLogitsConfig.defaults(trainFeatures, teacher, config.path("train-logits"))
        .withScoring(config.runtime(), config.int8());
    steps.add(new Step("teacher logits", new TeacherLogitsJob(logits)));
    String student = config.path("student");
    StudentSpec spec = StudentSpec.fromSource(teacher, config.studentLayers(), config.seed());
    steps.add(training("distill student", trainFeatures, logits.out(), teacher, student, spec, DistillLoss.DEFAULT,
        config.studentTraining()));
    // the student users serve: its ONNX graphs in its directory
    steps.add(new Step("export student", new OnnxExport(new OnnxExport.Config(localPath(student), null, true))));

    Map<String, String> models = new LinkedHashMap<>();
    models.put("teacher", teacher);
    models.put("student", student);
    Map<String, String> predictions = new LinkedHashMap<>();
    models.forEach((name, dir) -> {
      PredictJob.Config predict = PredictJob.Config.ofModel(examples("dev"), devFeatures, dir,
          config.path("dev-" + name), config.runtime(), config.int8());
      steps.add(new Step("predict " + name, new PredictJob(predict)));
      predictions.put(name, predict.output() + "/" + PredictionsTable.TABLE);
    });
    EvaluateJob.Config evaluate = new EvaluateJob.Config(examples("dev"), predictions.get("teacher"), null,
        predictions.get("student"), null, devFeatures, config.path("report"), null,
        EvaluateJob.Config.NA_PROB_THRESHOLD, "teacher", "student");
    steps.add(new Step("report", new EvaluateJob(evaluate, models, config.runtime(), config.int8())));
    return steps;
  }

  /** A directory the driver writes as files (a model directory): a local path, or a {@code file:} URI. */
  private static Path localPath(String dir) {
    return dir.startsWith("file:") ? Path.of(URI.create(dir)) : Path.of(dir);
  }

  /** Read → (sample) → featurize of one split; returns the features table. */
  private String examplesAndFeatures(List<Step> steps, String split, ReadInput input, int sample, String tokenizer) {
    ReadConfig read = ReadConfig.of(input, config.path(split + "-examples"));
    steps.add(new Step("read " + split, new ReadJob(read)));
    if (sample > 0) {
      steps.add(new Step("sample " + split, new ExampleSample(new ExampleSample.Config(read.examples(),
          examples(split), sample))));
    }
    FeaturizeConfig featurize = new FeaturizeConfig(examples(split), config.path(split + "-features"),
        config.path(split + "-features-quarantine"), tokenizer, config.maxLength(), config.docStride());
    steps.add(new Step("featurize " + split, new FeaturizeJob(featurize)));
    return featurize.out();
  }

  /** The examples table a split's later stages use: the sample when one is taken. */
  private String examples(String split) {
    int sample = split.equals("train") ? config.trainExamples() : config.devExamples();
    return config.path(split + (sample > 0 ? "-examples-sample" : "-examples"));
  }

  /** all-MiniLM-L6-v2 from its Maven jar, fine-tuned on the train windows (hard labels only). */
  private String fineTunedTeacher(List<Step> steps, String trainFeatures) {
    OnnxImport.Config base = new OnnxImport.Config(OnnxImport.CLASSPATH, Path.of(config.path("minilm")), null,
        config.seed());
    steps.add(new Step("import all-MiniLM-L6-v2", new OnnxImport(base)));
    String teacher = config.path("teacher");
    StudentSpec whole = StudentSpec.fromSource(config.path("minilm"), 0, config.seed());
    steps.add(training("fine-tune teacher", trainFeatures, null, null, teacher, whole, DistillLoss.FINE_TUNE,
        config.teacherTraining()));
    return teacher;
  }

  /**
   * A training stage: a few checkpoints per run, only the newest kept (one holds the model and AdamW's two
   * moments), a progress line every 5% of the steps; the training job says what that makes for these windows. An
   * output that is complete but of another configuration is removed first; one without a final model (a run cut
   * off) is resumed from its newest checkpoint, which the trainer checks belongs to this same run.
   */
  private Step training(String label, String features, String logits, String teacher, String out,
      StudentSpec student, DistillLoss loss, PipelineConfig.Training training) {
    StudentSpec spec = config.dropout() != null ? student.withDropout(config.dropout()) : student;
    return new Step(label, new TrainJob(new TrainConfig(features, logits, teacher, out, spec, loss,
        config.optimizer(training), config.batches(training), new CheckpointSettings(0.25, 1, true, 0), 0.05, 0)),
        true);
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
