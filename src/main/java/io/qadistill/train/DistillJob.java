package io.qadistill.train;

import io.qadistill.common.Provenance;
import io.qadistill.model.BertQaModel;
import io.qadistill.model.ModelDirectory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
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
 * the parameters travel to each executor and one gradient per partition travels back (4 bytes per parameter
 * each way).
 */
public final class DistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(DistillJob.class);

  /** What a run did. */
  public record Result(long steps, long totalSteps, int partitions, long windows, long featureWindows,
                       double lastLoss, double windowsPerSecond, double computeSeconds, double exchangeSeconds,
                       double seconds, String out) {}

  private DistillJob() {}

  public static Result run(SparkSession spark, DistillConfig config) {
    long t0 = System.nanoTime();
    int partitions = partitions(spark, config.batching());
    int threads = threads(spark, config.threads(), partitions);
    spark.sparkContext().setJobGroup("distill", "distill: prepare the training windows", false);
    TrainData data = TrainData.prepare(spark, config.features(), config.loss().needsTeacher() ? config.logits() : null,
        config.teacher(), partitions);
    String run = UUID.randomUUID().toString();
    Path out = Path.of(config.out());
    try (BertQaModel student = Students.build(config.student())) {
      ParameterLayout layout = new ParameterLayout(student.block());
      float[] params = layout.read(student.block());
      long total = config.batching().totalSteps(data.windows(), partitions);
      Optimizer optimizer = new Optimizer(layout, config.optimization(), total);
      LOG.info("distill: {} windows in {} partitions of {}, {} per partition per step, {} steps, {} parameters, "
              + "{} PyTorch threads per task", data.windows(), partitions, Arrays.toString(data.partitionRows()),
          config.batching().batchSize(), total, layout.size(), threads);
      Worker.Spec spec = new Worker.Spec(run, student.config(), config.loss(), config.batching().batchSize(),
          config.batching().seed(), threads, data.partitionRows());
      double epochRows = (double) data.windows() / partitions;
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      StepStats last = null;
      double compute = 0;
      double exchange = 0;
      double seconds = 0;
      long windows = 0;
      try (MetricsFile metrics = MetricsFile.open(out, 0)) {
        for (long step = 0; step < total; step++) {
          long s0 = System.nanoTime();
          spark.sparkContext().setJobGroup("distill", "distill: step " + (step + 1) + "/" + total, false);
          Broadcast<float[]> weights = jsc.broadcast(params);
          GradientSum sum = data.rows().mapPartitionsWithIndex(new StepTask(spec, step, weights), false)
              .treeAggregate(new GradientSum(), GradientSum::add, GradientSum::add);
          weights.destroy();
          long s1 = System.nanoTime();
          Optimizer.Update update = optimizer.apply(params, sum, step);
          long s2 = System.nanoTime();
          double n = sum.windows();
          last = new StepStats(step + 1, sum.loss() / n, sum.distill() / n, sum.squad() / n, update.learningRate(),
              update.gradNorm(), sum.windows(), sum.tokens(), (step + 1) * config.batching().batchSize() / epochRows,
              sum.computeSeconds(), (s1 - s0) / 1e9 - sum.computeSeconds(), (s2 - s1) / 1e9);
          metrics.write(last);
          compute += last.computeSeconds();
          exchange += last.exchangeSeconds();
          seconds += last.seconds();
          windows += sum.windows();
        }
      }
      layout.writer(student.block()).write(params);
      ModelDirectory.save(student, out);
      Provenance.of(spark, config.loss().needsTeacher() ? "distill" : "finetune", config,
          config.logits() == null ? List.of(config.features()) : List.of(config.features(), config.logits()))
          .writeInto(spark, config.out());
      return new Result(total, total, partitions, data.windows(), data.features(), last.loss(),
          windows / seconds, compute, exchange, (System.nanoTime() - t0) / 1e9, config.out());
    } finally {
      spark.sparkContext().setJobGroup("distill", "distill: release the models", false);
      data.rows().foreachPartition(rows -> Worker.closeRun(run));
      data.release();
      spark.sparkContext().clearJobGroup();
    }
  }

  /** One step's task on one partition: small (the parameters travel by broadcast). */
  private record StepTask(Worker.Spec spec, long step, Broadcast<float[]> weights)
      implements Function2<Integer, Iterator<TrainRow>, Iterator<GradientSum>> {
    @Override
    public Iterator<GradientSum> call(Integer partition, Iterator<TrainRow> rows) {
      return List.of(Worker.of(spec, partition, rows).step(weights.value(), step)).iterator();
    }
  }

  static int partitions(SparkSession spark, Batching batching) {
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
    if (threads > 0) {
      return threads;
    }
    if (spark.sparkContext().isLocal()) {
      return Math.max(1, spark.sparkContext().defaultParallelism() / partitions);
    }
    return spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
  }
}
