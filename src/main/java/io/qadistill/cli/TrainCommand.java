package io.qadistill.cli;

import io.qadistill.train.Batching;
import io.qadistill.train.Checkpointing;
import io.qadistill.train.DistillConfig;
import io.qadistill.train.DistillJob;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.Optimization;
import io.qadistill.model.StudentSpec;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The options distill and finetune share; the job is {@link DistillJob} in both. */
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

  @Option(names = "--learning-rate", defaultValue = "5e-5",
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--adam-epsilon", defaultValue = "1e-8", description = "AdamW ε (default: ${DEFAULT-VALUE}).")
  double adamEpsilon;

  @Option(names = "--max-grad-norm", defaultValue = "1.0",
      description = "Clip the gradient to this global norm; 0 = off (default: ${DEFAULT-VALUE}).")
  double maxGradNorm;

  @Option(names = "--warmup-steps", defaultValue = "0",
      description = "Linear warm-up steps, then linear decay to 0 (default: ${DEFAULT-VALUE}).")
  int warmupSteps;

  @Option(names = "--batch-size", defaultValue = "8",
      description = "Windows per partition per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--epochs", defaultValue = "3", description = "Passes over the windows (default: ${DEFAULT-VALUE}).")
  double epochs;

  @Option(names = "--max-steps", defaultValue = "0", description = "Steps in all; overrides --epochs when > 0.")
  long maxSteps;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Training partitions, one task each; 0 = one per executor (1 locally).")
  int partitions;

  @Option(names = "--length-groups", defaultValue = "" + Batching.LENGTH_GROUPS, paramLabel = "N",
      description = "Batches of like-length windows: shuffled windows in mega-batches of N batches, each sorted by "
          + "length (Hugging Face's group_by_length); 0 = random batches (default: ${DEFAULT-VALUE}).")
  int lengthGroups;

  @Option(names = "--local-steps", defaultValue = "1", paramLabel = "K",
      description = "Each partition takes K AdamW steps on its own batches, then the driver averages the "
          + "parameters and AdamW's moments; 1 = one gradient step over the global batch per step "
          + "(default: ${DEFAULT-VALUE}).")
  int localSteps;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of shuffling, dropout and a random student (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--checkpoint-every", defaultValue = "500",
      description = "Checkpoint every N steps, and at the end (default: ${DEFAULT-VALUE}).")
  long checkpointEvery;

  @Option(names = "--keep-checkpoints", defaultValue = "2",
      description = "Newest checkpoints kept (default: ${DEFAULT-VALUE}).")
  int keepCheckpoints;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
  boolean resume;

  @Option(names = "--stop-after", defaultValue = "0",
      description = "Leave after N steps of this run, with a checkpoint (--resume continues).")
  long stopAfter;

  @Option(names = "--log-every", defaultValue = "50",
      description = "A progress line every N steps (default: ${DEFAULT-VALUE}).")
  int logEvery;

  @Option(names = "--threads", defaultValue = "0",
      description = "PyTorch threads per training task; 0 = the local cores per partition, or spark.task.cpus.")
  int threads;

  /** The logits table, or null (finetune). */
  abstract String logits();

  /** The fingerprint of the teacher to use, or null. */
  abstract String teacher();

  abstract DistillLoss loss();

  DistillConfig config() {
    StudentSpec student = new StudentSpec("random".equals(init) ? null : init, layers, hidden, heads, intermediate,
        layerMap, dropout, seed, studentType, tokenizer);
    return new DistillConfig(features, logits(), teacher(), out, student, loss(),
        new Optimization(learningRate, weightDecay, adamEpsilon, maxGradNorm, warmupSteps),
        new Batching(batchSize, epochs, maxSteps, partitions, seed, lengthGroups, localSteps),
        new Checkpointing(checkpointEvery, keepCheckpoints, resume, stopAfter), logEvery, threads);
  }

  @Override
  Object run(SparkSession spark) {
    return DistillJob.run(spark, config());
  }
}
