package io.qadistill.cli;

import io.qadistill.model.StudentSpec;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.CheckpointSettings;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.OptimizerSettings;
import io.qadistill.train.TrainConfig;
import io.qadistill.train.TrainJob;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The options distill and finetune share; the job is {@link TrainJob} in both. */
abstract class TrainCommand extends SparkCommand {
  @Option(names = "--features", required = true, paramLabel = "DIR",
      description = "The features table (the --out of featurize).")
  String features;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output directory on the driver's file system: the final model directory, checkpoint-<step>/, "
          + "metrics.jsonl, loss.svg.")
  String out;

  @Option(names = "--init", required = true, paramLabel = "DIR|random",
      description = "The model to start from: a model directory (a teacher, for a DistilBERT-style student with "
          + "fewer --layers; any QA model of a supported family as it is), or 'random'.")
  String init;

  @Option(names = "--student-type", paramLabel = "TYPE",
      description = "The student's model_type: bert, distilbert, roberta, xlm-roberta; default: --init's (bert when "
          + "random). A BERT --init also seeds a distilbert student (embeddings and the mapped layers, no token "
          + "types), as the DistilBERT paper.")
  String studentType;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "With --init random: the student's tokenizer.json, whose vocabulary it takes; default: the "
          + "bundled bert-base-uncased one. It must be the teacher's.")
  String tokenizer;

  @Option(names = "--layers", defaultValue = "0",
      description = "Student layers; 0 = as --init (6 when random). From a deeper model: evenly spaced layers.")
  int layers;

  @Option(names = "--layer-map", split = ",", paramLabel = "I,J,…",
      description = "Which --init layers the student's layers start from, e.g. 0,2,4.")
  List<Integer> layerMap;

  @Option(names = "--hidden", defaultValue = "0", description = "Hidden size; 0 = as --init (384 when random).")
  int hidden;

  @Option(names = "--heads", defaultValue = "0", description = "Attention heads; 0 = as --init (12 when random).")
  int heads;

  @Option(names = "--intermediate", defaultValue = "0",
      description = "Intermediate size; 0 = as --init (1536 when random).")
  int intermediate;

  @Option(names = "--dropout", description = "Hidden and attention dropout of the student; default: as --init (0.1).")
  Double dropout;

  @Option(names = "--learning-rate", defaultValue = "" + OptimizerSettings.LEARNING_RATE,
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--adam-epsilon", defaultValue = "" + OptimizerSettings.ADAM_EPSILON,
      description = "AdamW ε (default: ${DEFAULT-VALUE}).")
  double adamEpsilon;

  @Option(names = "--max-grad-norm", defaultValue = "" + OptimizerSettings.MAX_GRAD_NORM,
      description = "Clip the gradient to this global norm; 0 = off (default: ${DEFAULT-VALUE}).")
  double maxGradNorm;

  @Option(names = "--warmup-steps", defaultValue = "0",
      description = "Linear warm-up steps, then linear decay to 0 (default: ${DEFAULT-VALUE}).")
  int warmupSteps;

  @Option(names = "--warmup-ratio", defaultValue = "0",
      description = "Warm-up as a fraction of the steps, when --warmup-steps is 0 (default: ${DEFAULT-VALUE}).")
  double warmupRatio;

  @Option(names = "--batch-size", defaultValue = "" + BatchSettings.BATCH_SIZE,
      description = "Windows per partition per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--epochs", defaultValue = "" + BatchSettings.EPOCHS,
      description = "Passes over the windows (default: ${DEFAULT-VALUE}).")
  double epochs;

  @Option(names = "--max-steps", defaultValue = "0", description = "Steps in all; overrides --epochs when > 0.")
  long maxSteps;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Training partitions, one task each; 0 = one per executor (1 locally).")
  int partitions;

  @Option(names = "--length-groups", defaultValue = "" + BatchSettings.LENGTH_GROUPS, paramLabel = "N",
      description = "Batches of like-length windows: shuffled windows in mega-batches of N batches, each sorted by "
          + "length (Hugging Face's group_by_length); 0 = random batches (default: ${DEFAULT-VALUE}).")
  int lengthGroups;

  @Option(names = "--local-steps", defaultValue = "1", paramLabel = "K",
      description = "Each partition takes K AdamW steps on its own batches, then the driver averages the "
          + "parameters and AdamW's moments; 1 = one gradient step over the global batch per step "
          + "(default: ${DEFAULT-VALUE}).")
  int localSteps;

  @Option(names = "--seed", defaultValue = "" + BatchSettings.SEED,
      description = "Seed of shuffling, dropout and a random student (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--checkpoint-every", defaultValue = "" + CheckpointSettings.EVERY, paramLabel = "N",
      description = "Checkpoint every N steps (or this fraction of the steps, when below 1), and at the end "
          + "(default: ${DEFAULT-VALUE}).")
  double checkpointEvery;

  @Option(names = "--keep-checkpoints", defaultValue = "" + CheckpointSettings.KEEP,
      description = "Newest checkpoints kept (default: ${DEFAULT-VALUE}).")
  int keepCheckpoints;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
  boolean resume;

  @Option(names = "--stop-after", defaultValue = "0",
      description = "Leave after N steps of this run, with a checkpoint (--resume continues).")
  long stopAfter;

  @Option(names = "--log-every", defaultValue = "" + TrainConfig.LOG_EVERY, paramLabel = "N",
      description = "A progress line every N steps (or this fraction of the steps, when below 1) "
          + "(default: ${DEFAULT-VALUE}).")
  double logEvery;

  @Option(names = "--threads", defaultValue = "0",
      description = "PyTorch threads per training task; 0 = the local cores per partition, or spark.task.cpus.")
  int threads;

  /** The logits table, or null (finetune). */
  abstract String logits();

  /** The fingerprint of the teacher to use, or null. */
  abstract String teacher();

  abstract DistillLoss loss();

  TrainConfig config() {
    StudentSpec student = new StudentSpec("random".equals(init) ? null : init, layers, hidden, heads, intermediate,
        layerMap, dropout, seed, studentType, tokenizer);
    return new TrainConfig(features, logits(), teacher(), out, student, loss(),
        new OptimizerSettings(learningRate, weightDecay, adamEpsilon, maxGradNorm, warmupSteps, warmupRatio),
        new BatchSettings(batchSize, epochs, maxSteps, partitions, seed, lengthGroups, localSteps),
        new CheckpointSettings(checkpointEvery, keepCheckpoints, resume, stopAfter), logEvery, threads);
  }

  @Override
  Object run(SparkSession spark) {
    return new TrainJob(config()).run(spark);
  }
}
