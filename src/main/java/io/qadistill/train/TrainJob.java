package io.qadistill.train;

import io.qadistill.common.AddedFiles;
import io.qadistill.common.Output;
import io.qadistill.common.Provenance;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaModel;
import io.qadistill.model.Students;
import io.qadistill.teacher.TeacherVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongPredicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * distill / finetune: trains a student data-parallel over Spark partitions, synchronously, in the manner of MLlib's
 * GradientDescent: setup (the training windows, the plan, a fresh or resumed start), then a loop of rounds
 * ({@link #train}), each one Spark job ({@link Round}), whose statistics go to listeners (metrics.jsonl, the progress
 * log, checkpoints), then the final model.
 *
 * <p>Every training partition's executor keeps a {@link Replica} of the parameters and AdamW's state. A step: each
 * partition's task applies the previous step's update to its replica, computes the gradient of the loss summed over
 * its next {@code batchSize} windows, and {@code treeAggregate} sums the gradients, loss parts and counts; the driver
 * turns the sum into the update (the mean over the global batch, as one process would compute it, clipped by global
 * norm) that the next step's tasks apply, and broadcasts it packed (the embeddings' untouched rows left out). With
 * one partition the update never leaves the executor. {@link Replicas} says what travels, how the driver gets the
 * state for checkpoints and what happens when an executor is lost.
 *
 * <p>With {@code localSteps} K > 1 a round is up to K steps: every partition starts from the driver's parameters
 * and AdamW's moments, takes its K steps alone, and the driver sets parameters and moments to the partitions' mean.
 * A round sends three times the values of the parameters, once per K steps; with one partition it equals K plain
 * steps, with more it is not the global-batch step (Adam is not linear in the gradient). Rounds end at multiples of
 * K, so that a resumed run's rounds are the uninterrupted run's; checkpoints and the log come at the end of a round.
 *
 * <p>Outputs, all in the output directory on the driver's local file system: the final model directory
 * (config.json, model.safetensors, tokenizer.json, _provenance.json), {@code checkpoint-<step>/} every N steps and
 * at the end ({@link Checkpoints}), metrics.jsonl (one line per step) and loss.svg.
 */
public record TrainJob(TrainConfig config) implements Stage<TrainJob.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
  /** Rollbacks in a row, without a round that succeeds between them, after which the run gives up. */
  private static final int MAX_ROLLBACKS = 3;

  /**
   * What a run did: {@code steps} done of {@code totalSteps} (fewer when stopped by --stop-after), from
   * {@code startStep} (a resumed checkpoint's, else 0); the mean loss of the last step; windows per second over
   * this run's steps; their compute and exchange seconds; how often the replicas were rebuilt from the driver's copy
   * (an executor lost); the final model directory (null when stopped) and the newest checkpoint.
   */
  public record Result(long steps, long totalSteps, long startStep, boolean stopped, int partitions, long windows,
                       long featureWindows, double lastLoss, double windowsPerSecond, double computeSeconds,
                       double exchangeSeconds, int rollbacks, double seconds, String model, String checkpoint) {}

  /** Where a run starts: the student, the state (parameters and AdamW's moments), its step, its checkpoint. */
  private record Start(QaModel student, float[] state, long step, Path checkpoint) {}

  @Override
  public String name() {
    return config.what();
  }

  @Override
  public List<String> inputs() {
    String logits = config.logitsToRead();
    return logits == null ? List.of(config.features()) : List.of(config.features(), logits);
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out());
  }

  /**
   * The final model's files, added beside the checkpoints with the provenance last ({@link AddedFiles}): a
   * directory whose {@code _provenance.json} is this run's holds its whole model; a run stopped early adds none.
   */
  @Override
  public Output output(String target, Configuration hadoop) {
    return new AddedFiles(target, hadoop, Provenance.FILE_NAME);
  }

  /**
   * The plan of {@code config}: the partitions and windows this session gives it (a join of the features with the
   * logits, counted; no training), its steps, warm-up and intervals.
   */
  public static TrainPlan plan(SparkSession spark, TrainConfig config) {
    long windows = TrainData.count(spark, config.features(), config.logitsToRead(), teacher(spark, config));
    return TrainPlan.of(config, windows, partitions(spark, config.batches()));
  }

  @Override
  public Result execute(SparkSession spark, StageRun stage) {
    long t0 = System.nanoTime();
    Path out = Path.of(config.out());
    String what = config.what();
    List<Path> existing = Checkpoints.list(out);
    if (!existing.isEmpty() && !config.checkpoints().resume()) {
      throw new UsageException(out + " holds checkpoints of an earlier run (the newest "
          + existing.get(existing.size() - 1).getFileName()
          + "): pass --resume to continue it, or choose another --out");
    }
    int partitions = partitions(spark, config.batches());
    int threads = threads(spark, config.threads(), partitions);
    stage.describe(what + ": prepare the training windows");
    String teacher = teacher(spark, config);
    TrainData data = TrainData.prepare(spark, config.features(), config.logitsToRead(), teacher, partitions);
    String run = UUID.randomUUID().toString();
    try {
      TrainPlan plan = TrainPlan.of(config, data.windows(), partitions);
      BatchSettings batches = config.batches();
      Checkpoints.RunKey key = new Checkpoints.RunKey(config.features(), config.logitsToRead(), teacher,
          config.loss(), config.optimizer(), batches.batchSize(), batches.seed(),
          Arrays.stream(data.partitionRows()).boxed().toList(), plan.steps(), batches.lengthGroups(),
          batches.localSteps());
      Start start = start(config, key, out, what);
      try (QaModel student = start.student()) {
        if (config.logitsToRead() != null) {
          TeacherVocabulary.requireSame(spark, config.logitsToRead(), teacher, student.tokenizerJson(),
              config.student().source() != null ? config.student().source() : "the random student's tokenizer");
        }
        LOG.info("{}: {} windows in {} partitions of {}, {} per partition per step ({}), steps {} to {}{}, warm-up "
                + "{}, a checkpoint every {} steps, {} parameters, {} PyTorch threads per task", what, data.windows(),
            partitions, Arrays.toString(data.partitionRows()), batches.batchSize(), batches.lengthGroups() > 0
                ? "grouped by length, " + batches.lengthGroups() + " batches per mega-batch" : "random",
            start.step() + 1, plan.steps(), plan.localSteps() > 1 ? " in rounds of " + plan.localSteps()
                + " local steps" : "", plan.warmupSteps(), plan.checkpointEvery(), start.state().length / 3, threads);
        Worker.Spec spec = new Worker.Spec(run, student.config(), config.loss(), batches, config.optimizer(),
            plan.steps(), threads, data.partitionRows(), hiddenTeacher(config, student.config()));
        Replicas replicas = new Replicas(JavaSparkContext.fromSparkContext(spark.sparkContext()), data.rows(), spec,
            plan, what, start.step(), start.state());
        ProgressLine progress = new ProgressLine(what, plan, start.step());
        CheckpointWriter checkpoints = new CheckpointWriter(what, out, replicas, student, plan, config.checkpoints(),
            key, start.step(), start.checkpoint());
        Training done;
        try (MetricsFile metrics = MetricsFile.open(out, start.step())) {
          done = train(replicas, plan, start.step(), checkpoints::stopsHere, List.of(metrics, progress, checkpoints));
        }
        StepStats last = progress.last();
        writeChart(out, what);
        String model = null;
        if (done.step() < plan.steps()) {
          LOG.info("{}: stopped after {} steps of this run (--stop-after); --resume continues from {}",
              what, done.step() - start.step(), checkpoints.latest());
        } else {
          model = saveModel(stage, student, replicas.fetch(done.step()));
        }
        double seconds = progress.seconds();
        return new Result(done.step(), plan.steps(), start.step(), model == null, partitions, data.windows(),
            data.features(), last == null ? Double.NaN : last.loss(), seconds > 0 ? progress.windows() / seconds : 0,
            progress.computeSeconds(), progress.exchangeSeconds(), done.rollbacks(), (System.nanoTime() - t0) / 1e9,
            model, String.valueOf(checkpoints.latest()));
      }
    } finally {
      stage.describe(what + ": release the models");
      data.rows().foreachPartition(rows -> Worker.closeRun(run));
      data.release();
    }
  }

  /** The fingerprint of the teacher whose logits to read (null: the table holds one teacher's). */
  private static String teacher(SparkSession spark, TrainConfig config) {
    return config.logitsToRead() == null ? null
        : ModelFingerprint.resolve(spark.sparkContext().hadoopConfiguration(), config.teacher());
  }

  /**
   * The teacher's model directory when the loss compares hidden states with it (each executor loads it), after
   * checking that its hidden states are as wide as the student's; null without a hidden-state term.
   */
  private static String hiddenTeacher(TrainConfig config, ModelConfig student) {
    if (config.loss().hiddenWeight() == 0) {
      return null;
    }
    Path dir = Path.of(config.teacher()).toAbsolutePath();
    Path file = dir.resolve(ModelDirectory.CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new UsageException("alpha_hidden " + config.loss().alphaHidden() + ": the teacher computes its hidden "
          + "states as training goes, so --teacher must be its model directory, and " + dir + " holds no "
          + ModelDirectory.CONFIG);
    }
    int width = ModelConfig.read(file).hiddenSize();
    if (width != student.hiddenSize()) {
      throw new UsageException("alpha_hidden " + config.loss().alphaHidden() + ": the teacher's hidden states ("
          + width + " wide) and the student's (" + student.hiddenSize() + ") differ; the cosine loss compares "
          + "vectors of one width, as a student made from the teacher's layers has");
    }
    return dir.toString();
  }

  /** The newest checkpoint's student and state with --resume (when there is one), else a new student's. */
  private static Start start(TrainConfig config, Checkpoints.RunKey key, Path out, String what) {
    Optional<Path> latest = config.checkpoints().resume() ? Checkpoints.latest(out) : Optional.empty();
    if (latest.isPresent()) {
      Checkpoints.Loaded resumed = Checkpoints.read(latest.get(), key);
      ParameterLayout layout = new ParameterLayout(resumed.model());
      LOG.info("{}: resuming from {} (step {} of {})", what, latest.get(), resumed.state().step(), key.totalSteps());
      return new Start(resumed.model(), Replicas.state(layout.read(resumed.model()), resumed.firstMoments(),
          resumed.secondMoments()), resumed.state().step(), latest.get());
    }
    if (config.checkpoints().resume()) {
      LOG.info("{}: --resume, but {} holds no checkpoint: starting afresh", what, out);
    }
    QaModel student = Students.build(config.student());
    ParameterLayout layout = new ParameterLayout(student);
    return new Start(student, Replicas.state(layout.read(student), new float[layout.size()],
        new float[layout.size()]), 0, null);
  }

  /** Where the loop ended: the step reached, and how often it went back to the driver's copy. */
  record Training(long step, int rollbacks) {}

  /**
   * The loop: rounds from step {@code start} to the plan's last (or the first step {@code stop} accepts), each round's
   * statistics given to {@code listeners} in order. A round (or a listener's fetch) that finds a replica lost sends
   * the run back to the driver's copy ({@link Replicas#rollback}): the listeners are told, and the steps since
   * are done again.
   */
  static Training train(Replicas replicas, TrainPlan plan, long start, LongPredicate stop,
                        List<TrainListener> listeners) {
    long step = start;
    int rollbacks = 0;
    int inARow = 0;
    while (step < plan.steps()) {
      // a round of local steps ends at a multiple of K, so that a resumed run's rounds are the same
      int k = (int) Math.min(plan.localSteps() - step % plan.localSteps(), plan.steps() - step);
      try {
        // the replicas are compared at the log's steps (and at every fetch: checkpoints, the end)
        StepStats stats = replicas.round(step, k, crossed(step, step + k, plan.logEvery()));
        inARow = 0;
        step += k;
        for (TrainListener listener : listeners) {
          listener.onStep(stats);
        }
      } catch (Replicas.Lost lost) {
        if (++inARow > MAX_ROLLBACKS) {
          throw new IllegalStateException("training gave up: replicas lost " + inARow + " times in a row", lost);
        }
        rollbacks++;
        step = replicas.rollback();
        LOG.warn("{}: every replica is rebuilt from the driver's copy of step {}, and the steps after it are done "
            + "again", lost.getMessage(), step);
        for (TrainListener listener : listeners) {
          listener.onRollback(step);
        }
        continue;
      }
      if (stop.test(step)) {
        break;
      }
    }
    return new Training(step, rollbacks);
  }

  /** The final model directory, from {@code state}'s parameters, staged for publication; returns its path. */
  private String saveModel(StageRun stage, QaModel student, float[] state) {
    ParameterLayout layout = new ParameterLayout(student);
    layout.writer(student).write(Arrays.copyOf(state, layout.size()));
    ModelDirectory.save(student, stage.localStaging(config.out()));
    return config.out();
  }

  /** loss.svg beside the checkpoints, from the whole metrics.jsonl (a resumed run's earlier steps included). */
  private static void writeChart(Path out, String what) {
    try {
      List<StepStats> steps = MetricsFile.read(out.resolve(MetricsFile.NAME));
      Files.writeString(out.resolve(LossChart.NAME), LossChart.svg(steps, what + ": " + out.getFileName()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve(LossChart.NAME), e);
    }
  }

  /** Whether a multiple of {@code every} lies in (from, to]: a round of local steps may pass over one. */
  static boolean crossed(long from, long to, long every) {
    return to / every > from / every;
  }

  public static int partitions(SparkSession spark, BatchSettings batches) {
    if (batches.partitions() > 0) {
      return batches.partitions();
    }
    if (spark.sparkContext().isLocal()) {
      return 1;
    }
    var conf = spark.sparkContext().getConf();
    if (conf.contains("spark.executor.instances")) {
      return conf.getInt("spark.executor.instances", 1);
    }
    return Math.max(1, spark.sparkContext().getExecutorMemoryStatus().size() - 1); // less the driver
  }

  static int threads(SparkSession spark, int threads, int partitions) {
    if (spark.sparkContext().isLocal()) {
      return threads > 0 ? threads : Math.max(1, spark.sparkContext().defaultParallelism() / partitions);
    }
    var conf = spark.sparkContext().getConf();
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    // Spark starts executors with OMP_NUM_THREADS = spark.task.cpus (unless spark.executorEnv.OMP_NUM_THREADS is
    // given); a 2-thread step's gradient took 1.17x as long under OMP_NUM_THREADS=1 (docs/benchmarks.md)
    int omp = conf.getInt("spark.executorEnv.OMP_NUM_THREADS", taskCpus);
    int chosen = threads > 0 ? threads : taskCpus;
    if (chosen > omp) {
      LOG.warn("training with {} PyTorch threads per task on executors started with OMP_NUM_THREADS={}: PyTorch "
          + "computes slower so; set spark.task.cpus to {} (one training task per executor, all its cores)",
          chosen, omp, chosen);
    }
    return chosen;
  }
}
