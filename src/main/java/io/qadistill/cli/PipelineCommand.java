package io.qadistill.cli;

import io.qadistill.common.UsageException;
import io.qadistill.pipeline.Pipeline;
import io.qadistill.pipeline.PipelineConfig;
import io.qadistill.pipeline.PipelineConfig.Training;
import io.qadistill.squad.ColumnMapping;
import io.qadistill.squad.InputFormat;
import io.qadistill.squad.ReadInput;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.DistillDefaults;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = {"Run every stage in order: read, featurize, fine-tune a teacher (unless --teacher names one), "
        + "teacher-logits, distill a student, predict with both, and one report comparing them (quality, size, "
        + "speed). Outputs that are current are reused, so a rerun continues where a failed run stopped.",
        "By default on the bundled SQuAD sample, with a budget that fits about 10 minutes on 2 cores."})
final class PipelineCommand extends SparkCommand {
  /** Set by jobs/qadistill to the checkout, where the bundled data lives. */
  private static final String HOME = System.getProperty("qadistill.home", ".");

  @Option(names = "--train", description = "Data to learn from, as read's --input takes it (SQuAD JSON, "
      + "Parquet, JSON Lines, or with --train-format table a table); default: the bundled train sample.")
  String train;

  @Option(names = "--train-format", paramLabel = "FORMAT", converter = InputFormatConverter.class,
      description = "--train's format, as read's --format; default: what its name says, else squad-json.")
  InputFormat trainFormat;

  @Option(names = "--train-columns", split = ",", paramLabel = "COLUMN=SOURCE",
      description = "--train's names for examples columns, as read's --columns.")
  Map<String, String> trainColumns;

  @Option(names = "--dev", description = "Data to evaluate on, as --train; default: the bundled dev sample.")
  String dev;

  @Option(names = "--dev-format", paramLabel = "FORMAT", converter = InputFormatConverter.class,
      description = "--dev's format, as read's --format; default: what its name says, else squad-json.")
  InputFormat devFormat;

  @Option(names = "--dev-columns", split = ",", paramLabel = "COLUMN=SOURCE",
      description = "--dev's names for examples columns, as read's --columns.")
  Map<String, String> devColumns;

  @Option(names = "--work", description = "Directory for all outputs, on a file system the driver and the "
      + "executors share; default: runs/default in the checkout.")
  String work;

  @Mixin WindowOptions window;

  @Mixin ScoringOptions scoring;

  @Option(names = "--train-examples", paramLabel = "N", description = "Train on a fixed sample of N questions; "
      + "0 = all. Default: " + PipelineConfig.TRAIN_EXAMPLES + " of the bundled sample, all of a --train given.")
  Integer trainExamples;

  @Option(names = "--dev-examples", paramLabel = "N", defaultValue = "0",
      description = "Evaluate on a fixed sample of N questions; 0 = all (default).")
  int devExamples;

  @Option(names = "--teacher", paramLabel = "DIR", description = "A teacher model directory (its tokenizer.json "
      + "cuts the windows); default: fine-tune one from the bundled all-MiniLM-L6-v2.")
  String teacher;

  @Option(names = "--teacher-epochs", defaultValue = "" + PipelineConfig.TEACHER_EPOCHS,
      description = "Fine-tuning passes (default: ${DEFAULT-VALUE}).")
  double teacherEpochs;

  @Option(names = "--teacher-learning-rate", defaultValue = "" + PipelineConfig.TEACHER_LEARNING_RATE,
      description = "Fine-tuning peak learning rate (default: ${DEFAULT-VALUE}).")
  double teacherLearningRate;

  @Option(names = "--student-epochs", defaultValue = "" + DistillDefaults.EPOCHS,
      description = "Distillation passes (default: ${DEFAULT-VALUE}).")
  double studentEpochs;

  @Option(names = "--student-learning-rate", defaultValue = "" + DistillDefaults.LEARNING_RATE,
      description = "Distillation peak learning rate (default: ${DEFAULT-VALUE}).")
  double studentLearningRate;

  @Option(names = "--student-layers", defaultValue = "" + PipelineConfig.STUDENT_LAYERS,
      description = "Student layers, evenly spaced from the teacher's (default: ${DEFAULT-VALUE}).")
  int studentLayers;

  @Option(names = "--batch-size", defaultValue = "" + PipelineConfig.BATCH_SIZE,
      description = "Windows per partition per training step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Training partitions; 0 = one per executor (1 locally).")
  int partitions;

  @Option(names = "--dropout", description = "Dropout of both trainings; default: the model's own (0.1).")
  Double dropout;

  @Option(names = "--seed", defaultValue = "" + BatchSettings.SEED, description = "Seed of sampling, shuffling and dropout "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  Object run(SparkSession spark) {
    return new Pipeline(config()).run(spark);
  }

  /** The pipeline's settings from the options, before Spark starts. */
  PipelineConfig config() {
    PipelineConfig embedded = PipelineConfig.embedded(HOME, work != null ? work : HOME + "/runs/default");
    int trainSample = trainExamples != null ? trainExamples : train == null ? embedded.trainExamples() : 0;
    return new PipelineConfig(input(train, trainFormat, trainColumns, embedded.train()),
        input(dev, devFormat, devColumns, embedded.dev()), embedded.work(), window.maxLength, window.docStride,
        trainSample, devExamples, teacher, new Training(teacherEpochs, batchSize, teacherLearningRate),
        new Training(studentEpochs, batchSize, studentLearningRate), studentLayers, partitions, dropout, seed,
        scoring.runtime, scoring.int8);
  }

  private static ReadInput input(String path, InputFormat format, Map<String, String> columns,
      ReadInput embedded) {
    if (path == null) {
      if (format != null || columns != null) {
        throw new UsageException("--train-format, --train-columns, --dev-format and --dev-columns describe a "
            + "--train or --dev given with them; the bundled sample is SQuAD JSON");
      }
      return embedded;
    }
    return new ReadInput(List.of(path), format, new ColumnMapping(columns));
  }
}
