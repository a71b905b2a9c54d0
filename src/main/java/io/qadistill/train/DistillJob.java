package io.qadistill.train;

import io.qadistill.common.Provenance;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.Students;
import io.qadistill.teacher.TeacherVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * distill / finetune: trains a student data-parallel over Spark partitions with a driver-coordinated gradient
 * step, in the manner of MLlib's GradientDescent.
 *
 * <p>The driver holds the parameters and AdamW's state as flat float arrays. Each step it broadcasts the
 * parameters; each training partition's task finds the model its executor keeps for it ({@link Worker}), sets the
 * weights, and computes the gradient of the loss summed over its next {@code batchSize} windows;
 * {@code treeAggregate} sums the gradients, loss parts and counts; the driver divides by the windows (the mean
 * over the global batch, as one process would compute it), clips by global norm, applies AdamW with the
 * warm-up/linear-decay rate, and destroys the broadcast. Cost per step: one Spark job of one task per partition;
 * the parameters travel to each executor (4 bytes each) and each partition's gradient travels back without its
 * zero runs (about a third of that for a MiniLM-sized student: most word-embedding rows get no gradient).
 *
 * <p>With {@code localSteps} K > 1 a job is a round of up to K steps: the driver broadcasts the parameters and
 * AdamW's moments, each partition takes its K steps alone ({@link Worker#localSteps}), and the driver sets
 * parameters and moments to the partitions' mean. A round sends three times the values of a step, once per K
 * steps, and the partitions wait for each other once per K steps; with one partition it equals K plain steps,
 * with more it is not the global-batch step (Adam is not linear in the gradient). Rounds end at multiples of K, so
 * that a resumed run's rounds are the uninterrupted run's; checkpoints and the log come at the end of a round.
 *
 * <p>Outputs, all in the output directory on the driver's local file system: the final model directory
 * (config.json, model.safetensors, tokenizer.json, _provenance.json), {@code checkpoint-<step>/} every N steps and
 * at the end ({@link Checkpoints}), metrics.jsonl (one line per step) and loss.svg.
 */
public final class DistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(DistillJob.class);

  /**
   * What a run did: {@code steps} done of {@code totalSteps} (fewer when stopped by --stop-after), from
   * {@code startStep} (a resumed checkpoint's, else 0); the mean loss of the last step; windows per second over
   * this run's steps; their compute and exchange seconds; the final model directory (null when stopped) and the
   * newest checkpoint.
   */
  public record Result(long steps, long totalSteps, long startStep, boolean stopped, int partitions, long windows,
                       long featureWindows, double lastLoss, double windowsPerSecond, double computeSeconds,
                       double exchangeSeconds, double seconds, String model, String checkpoint) {}

  private DistillJob() {}

  public static Result run(SparkSession spark, DistillConfig config) {
    long t0 = System.nanoTime();
    Path out = Path.of(config.out());
    Checkpointing checkpointing = config.checkpoints();
    List<Path> existing = Checkpoints.list(out);
    if (!existing.isEmpty() && !checkpointing.resume()) {
      throw new UsageException(out + " holds checkpoints of an earlier run (the newest "
          + existing.get(existing.size() - 1).getFileName()
          + "): pass --resume to continue it, or choose another --out");
    }
    String what = config.loss().needsTeacher() ? "distill" : "finetune";
    int partitions = partitions(spark, config.batching());
    int threads = threads(spark, config.threads(), partitions);
    spark.sparkContext().setJobGroup(what, what + ": prepare the training windows", false);
    String logits = config.loss().needsTeacher() ? config.logits() : null;
    TrainData data = TrainData.prepare(spark, config.features(), logits, config.teacher(), partitions);
    String run = UUID.randomUUID().toString();
    try {
      long total = config.batching().totalSteps(data.windows(), partitions);
      int batch = config.batching().batchSize();
      Batching batching = config.batching();
      Checkpoints.RunKey key = new Checkpoints.RunKey(config.features(), logits, config.teacher(), config.loss(),
          config.optimization(), batch, batching.seed(), Arrays.stream(data.partitionRows()).boxed().toList(),
          total, batching.lengthGroups(), batching.localSteps());
      Optional<Path> latest = checkpointing.resume() ? Checkpoints.latest(out) : Optional.empty();
      Checkpoints.Loaded resumed = latest.map(dir -> Checkpoints.read(dir, key)).orElse(null);
      try (QaModel student = resumed != null ? resumed.model() : Students.build(config.student())) {
        if (logits != null) {
          TeacherVocabulary.requireSame(spark, logits, config.teacher(), student.tokenizerJson(),
              config.student().source() != null ? config.student().source() : "the random student's tokenizer");
        }
        ParameterLayout layout = new ParameterLayout(student);
        ParameterLayout.Writer driverWeights = layout.writer(student);
        float[] params = layout.read(student);
        Optimizer optimizer = new Optimizer(layout, config.optimization(), total);
        long start = 0;
        if (resumed != null) {
          start = resumed.state().step();
          optimizer.adam().restore(start, resumed.firstMoments(), resumed.secondMoments());
          LOG.info("{}: resuming from {} (step {} of {})", what, latest.get(), start, total);
        } else if (checkpointing.resume()) {
          LOG.info("{}: --resume, but {} holds no checkpoint: starting afresh", what, out);
        }
        int local = batching.localSteps();
        LOG.info("{}: {} windows in {} partitions of {}, {} per partition per step ({}), steps {} to {}{}, {} "
                + "parameters, {} PyTorch threads per task", what, data.windows(), partitions,
            Arrays.toString(data.partitionRows()), batch, batching.lengthGroups() > 0
                ? "grouped by length, " + batching.lengthGroups() + " batches per mega-batch" : "random",
            start + 1, total, local > 1 ? " in rounds of " + local + " local steps" : "", layout.size(), threads);
        Worker.Spec spec = new Worker.Spec(run, student.config(), config.loss(), batching, config.optimization(),
            total, threads, data.partitionRows());
        double windowsPerEpoch = data.windows();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        StepStats last = null;
        double compute = 0;
        double exchange = 0;
        double seconds = 0;
        long windows = 0;
        long step = start;
        Path checkpoint = latest.orElse(null);
        try (MetricsFile metrics = MetricsFile.open(out, start)) {
          while (step < total) {
            long s0 = System.nanoTime();
            // a round of local steps ends at a multiple of K, so that a resumed run's rounds are the same
            int k = (int) Math.min(local - step % local, total - step);
            spark.sparkContext().setJobGroup(what, what + ": step " + (step + k) + "/" + total, false);
            float[] sent = local == 1 ? params : optimizer.adam().state(params);
            Broadcast<float[]> weights = jsc.broadcast(sent);
            long sb = System.nanoTime();
            GradientSum sum = data.rows().mapPartitionsWithIndex(new StepTask(spec, step, k, weights), false)
                .treeAggregate(new GradientSum(), GradientSum::add, GradientSum::add);
            weights.destroy();
            long s1 = System.nanoTime();
            double lr;
            double norm;
            if (local == 1) {
              Optimizer.Update update = optimizer.apply(params, sum, step);
              lr = update.learningRate();
              norm = update.gradNorm();
            } else {
              // the partitions' mean parameters and moments
              float[] mean = optimizer.adam().restoreState(step + k, sum.gradient(), partitions);
              System.arraycopy(mean, 0, params, 0, params.length);
              lr = optimizer.learningRate(step + k - 1);
              norm = sum.gradNorms() / (partitions * (double) k);
            }
            long s2 = System.nanoTime();
            long previous = step;
            step += k;
            double n = sum.windows();
            last = new StepStats(step, sum.loss() / n, sum.distill() / n, sum.squad() / n, lr, norm, sum.windows(),
                sum.tokens(), step * partitions * (double) batch / windowsPerEpoch, sum.computeSeconds(),
                (s1 - s0) / 1e9 - sum.computeSeconds(), (sb - s0) / 1e9, sum.taskSeconds() - sum.computeSeconds(),
                (s2 - s1) / 1e9);
            metrics.write(last);
            compute += last.computeSeconds();
            exchange += last.exchangeSeconds();
            seconds += last.seconds();
            windows += sum.windows();
            if (crossed(previous, step, config.logEvery()) || step == total) {
              LOG.info(ProgressLine.format(what, last, total, step - start, windows, seconds));
            }
            boolean stop = checkpointing.stopAfter() > 0 && step - start >= checkpointing.stopAfter();
            boolean due = checkpointing.every() > 0 && crossed(previous, step, checkpointing.every());
            if (due || stop || step == total) {
              driverWeights.write(params);
              checkpoint = Checkpoints.write(out, student, layout, optimizer.adam(),
                  new Checkpoints.State(step, step * batch, last.epoch(), key), checkpointing.keep());
              LOG.info("{}: checkpoint {}", what, checkpoint);
            }
            if (stop && step < total) {
              writeChart(out, what);
              LOG.info("{}: stopped after {} steps of this run (--stop-after); --resume continues from {}",
                  what, step - start, checkpoint);
              return new Result(step, total, start, true, partitions, data.windows(), data.features(),
                  last.loss(), windows / seconds, compute, exchange, (System.nanoTime() - t0) / 1e9, null,
                  String.valueOf(checkpoint));
            }
          }
        }
        driverWeights.write(params);
        ModelDirectory.save(student, out);
        writeChart(out, what);
        Provenance.of(spark, what, config,
            logits == null ? List.of(config.features()) : List.of(config.features(), logits))
            .writeInto(spark, config.out());
        return new Result(step, total, start, false, partitions, data.windows(), data.features(),
            last == null ? Double.NaN : last.loss(), seconds > 0 ? windows / seconds : 0, compute, exchange,
            (System.nanoTime() - t0) / 1e9, config.out(), String.valueOf(checkpoint));
      }
    } finally {
      spark.sparkContext().setJobGroup(what, what + ": release the models", false);
      data.rows().foreachPartition(rows -> Worker.closeRun(run));
      data.release();
      spark.sparkContext().clearJobGroup();
    }
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
  private static boolean crossed(long from, long to, long every) {
    return to / every > from / every;
  }

  /**
   * One round's task on one partition: a gradient step ({@code k} = 1 with {@code localSteps} 1), or {@code k}
   * local steps. Small: the parameters (and state) travel by broadcast.
   */
  private record StepTask(Worker.Spec spec, long step, int k, Broadcast<float[]> weights)
      implements Function2<Integer, Iterator<TrainRow>, Iterator<GradientSum>> {
    @Override
    public Iterator<GradientSum> call(Integer partition, Iterator<TrainRow> rows) {
      Worker worker = Worker.of(spec, partition, rows);
      long start = System.nanoTime(); // after building the worker, which only the first step does
      GradientSum sum = spec.batching().localSteps() == 1 ? worker.step(weights.value(), step)
          : worker.localSteps(weights.value(), step, k);
      return List.of(sum.packedSince(start)).iterator();
    }
  }

  public static int partitions(SparkSession spark, Batching batching) {
    if (batching.partitions() > 0) {
      return batching.partitions();
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
