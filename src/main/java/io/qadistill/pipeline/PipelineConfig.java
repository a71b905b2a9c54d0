package io.qadistill.pipeline;

import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.squad.ReadInput;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.DistillDefaults;
import io.qadistill.train.OptimizerSettings;
import java.util.List;

/**
 * The whole pipeline's settings.
 *
 * @param train what the teacher and student learn from: SQuAD JSON, Parquet, JSON Lines or a table ({@link ReadInput})
 * @param dev what both models are evaluated on, as {@code train}
 * @param work the directory every stage writes under, one subdirectory per stage output (local: the models
 *     are written there by the driver and read by the executors at the same path)
 * @param maxLength window length for featurize
 * @param docStride window overlap for featurize
 * @param trainExamples train examples used, a fixed sample of them; 0 = all
 * @param devExamples dev examples evaluated, a fixed sample of them; 0 = all
 * @param teacher a teacher model directory; null = fine-tune one from the bundled all-MiniLM-L6-v2
 * @param teacherTraining how the teacher is fine-tuned (unused when {@code teacher} is given)
 * @param studentTraining how the student is distilled
 * @param studentLayers the student's layers, taken evenly spaced from the teacher's (DistilBERT-style)
 * @param partitions training partitions; 0 = one per executor (1 locally)
 * @param dropout dropout of both trainings; null = the model's own (0.1 for MiniLM)
 * @param seed seed of sampling, shuffling, dropout
 * @param runtime what scores windows: the teacher's logits, both models' predictions and speeds
 *     ({@link ScoringRuntime})
 * @param int8 score with the models' int8 ONNX graphs (ONNX Runtime only)
 */
public record PipelineConfig(ReadInput train, ReadInput dev, String work, int maxLength, int docStride,
    int trainExamples, int devExamples, String teacher, Training teacherTraining, Training studentTraining,
    int studentLayers, int partitions, Double dropout, long seed, ScoringRuntime runtime, boolean int8) {

  /**
   * One training run's budget and step size.
   *
   * @param epochs passes over the train windows
   * @param batchSize windows per partition per step
   * @param learningRate peak learning rate (linear warm-up over the first 10% of steps, then linear decay)
   */
  public record Training(double epochs, int batchSize, double learningRate) {
    public Training {
      if (!(epochs > 0) || batchSize < 1 || !(learningRate > 0)) {
        throw new UsageException("training: epochs " + epochs + ", batch size " + batchSize + " and learning rate "
            + learningRate + " must all be > 0");
      }
    }
  }

  /**
   * The embedded default's budget, sized to finish within 10 minutes on 2 cores: a teacher fine-tuned from
   * all-MiniLM-L6-v2 on 800 train questions, then a 3-layer student distilled as {@code distill} does by default
   * ({@link DistillDefaults}).
   */
  public static final double TEACHER_EPOCHS = 1;
  public static final double TEACHER_LEARNING_RATE = 1e-4;
  public static final int BATCH_SIZE = DistillDefaults.BATCH_SIZE;
  public static final Training TEACHER_TRAINING = new Training(TEACHER_EPOCHS, BATCH_SIZE, TEACHER_LEARNING_RATE);
  public static final Training STUDENT_TRAINING =
      new Training(DistillDefaults.EPOCHS, BATCH_SIZE, DistillDefaults.LEARNING_RATE);
  public static final int TRAIN_EXAMPLES = 800;
  public static final int STUDENT_LAYERS = 3;

  public PipelineConfig {
    if (train == null || dev == null || work == null || work.isBlank()) {
      throw new UsageException("pipeline: --train, --dev and --work need a value (train " + train + ", dev " + dev
          + ", work " + work + ")");
    }
    work = work.replaceAll("/+$", "");
    // Validates the window settings before any stage runs.
    new FeaturizeConfig("-", "-", "-", null, maxLength, docStride);
    if (trainExamples < 0 || devExamples < 0) {
      throw new UsageException("pipeline: --train-examples " + trainExamples + " and --dev-examples " + devExamples
          + " must be ≥ 0 (0: all)");
    }
    if (studentLayers < 1) {
      throw new UsageException("pipeline: --student-layers " + studentLayers + " must be ≥ 1");
    }
    new BatchSettings(studentTraining.batchSize(), studentTraining.epochs(), 0, partitions, seed);
    if (runtime == null) {
      throw new IllegalArgumentException("runtime is null; ScoringRuntime.DEFAULT is the default");
    }
  }

  /** The embedded default: the bundled SQuAD sample under {@code home}/data/squad, outputs under {@code work}. */
  public static PipelineConfig embedded(String home, String work) {
    return new PipelineConfig(ReadInput.of(List.of(home + "/data/squad/train-sample.json")),
        ReadInput.of(List.of(home + "/data/squad/dev-sample.json")), work,
        FeaturizeConfig.DEFAULT_MAX_LENGTH, FeaturizeConfig.DEFAULT_DOC_STRIDE, TRAIN_EXAMPLES, 0, null,
        TEACHER_TRAINING, STUDENT_TRAINING, STUDENT_LAYERS, 0, null, BatchSettings.SEED, ScoringRuntime.DEFAULT,
        false);
  }

  public PipelineConfig withSamples(int train, int dev) {
    return new PipelineConfig(this.train, this.dev, work, maxLength, docStride, train, dev, teacher,
        teacherTraining, studentTraining, studentLayers, partitions, dropout, seed, runtime, int8);
  }

  public PipelineConfig withTraining(Training teacher, Training student, int partitions, Double dropout) {
    return new PipelineConfig(train, dev, work, maxLength, docStride, trainExamples, devExamples, this.teacher,
        teacher, student, studentLayers, partitions, dropout, seed, runtime, int8);
  }

  String path(String name) {
    return work + "/" + name;
  }

  BatchSettings batches(Training training) {
    return new BatchSettings(training.batchSize(), training.epochs(), 0, partitions, seed);
  }

  /** AdamW as DistilBERT's SQuAD recipe (no weight decay, clipping at 1), warm-up as {@code distill}'s. */
  OptimizerSettings optimizer(Training training) {
    return new OptimizerSettings(training.learningRate(), 0, OptimizerSettings.ADAM_EPSILON,
        OptimizerSettings.MAX_GRAD_NORM, 0, DistillDefaults.WARMUP_RATIO);
  }
}
