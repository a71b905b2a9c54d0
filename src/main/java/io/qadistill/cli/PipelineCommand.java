package io.qadistill.cli;

import io.qadistill.pipeline.Pipeline;
import io.qadistill.pipeline.PipelineConfig;
import io.qadistill.pipeline.PipelineConfig.Training;
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

  @Option(names = "--train", description = "SQuAD JSON to learn from; default: the bundled train sample.")
  String train;

  @Option(names = "--dev", description = "SQuAD JSON to evaluate on; default: the bundled dev sample.")
  String dev;

  @Option(names = "--work", description = "Directory for all outputs, on a file system the driver and the "
      + "executors share; default: runs/default in the checkout.")
  String work;

  @Mixin WindowOptions window;

  @Option(names = "--train-examples", paramLabel = "N", description = "Train on a fixed sample of N questions; "
      + "0 = all. Default: " + PipelineConfig.TRAIN_EXAMPLES + " of the bundled sample, all of a --train given.")
  Integer trainExamples;

  @Option(names = "--dev-examples", paramLabel = "N", defaultValue = "0",
      description = "Evaluate on a fixed sample of N questions; 0 = all (default).")
  int devExamples;

  @Option(names = "--teacher", paramLabel = "DIR", description = "A teacher model directory (its tokenizer.json "
      + "cuts the windows); default: fine-tune one from the bundled all-MiniLM-L6-v2.")
  String teacher;

  @Option(names = "--teacher-epochs", defaultValue = "1",
      description = "Fine-tuning passes (default: ${DEFAULT-VALUE}).")
  double teacherEpochs;

  @Option(names = "--teacher-learning-rate", defaultValue = "" + PipelineConfig.TEACHER_LEARNING_RATE,
      description = "Fine-tuning peak learning rate (default: ${DEFAULT-VALUE}).")
  double teacherLearningRate;

  @Option(names = "--student-epochs", defaultValue = "1",
      description = "Distillation passes (default: ${DEFAULT-VALUE}).")
  double studentEpochs;

  @Option(names = "--student-learning-rate", defaultValue = "" + PipelineConfig.STUDENT_LEARNING_RATE,
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

  @Option(names = "--seed", defaultValue = "42", description = "Seed of sampling, shuffling and dropout "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  Object run(SparkSession spark) {
    PipelineConfig embedded = PipelineConfig.embedded(HOME, work != null ? work : HOME + "/runs/default");
    int trainSample = trainExamples != null ? trainExamples : train == null ? embedded.trainExamples() : 0;
    return new Pipeline(new PipelineConfig(train != null ? train : embedded.train(),
        dev != null ? dev : embedded.dev(), embedded.work(), window.maxLength, window.docStride, trainSample,
        devExamples, teacher, new Training(teacherEpochs, batchSize, teacherLearningRate),
        new Training(studentEpochs, batchSize, studentLearningRate), studentLayers, partitions, dropout, seed))
        .run(spark);
  }
}
