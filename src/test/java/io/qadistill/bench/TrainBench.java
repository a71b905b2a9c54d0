package io.qadistill.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.SquadWindows;
import io.qadistill.testing.TestData;
import io.qadistill.train.Batching;
import io.qadistill.train.Checkpointing;
import io.qadistill.train.DistillConfig;
import io.qadistill.train.DistillJob;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.MetricsFile;
import io.qadistill.train.Optimization;
import io.qadistill.train.SingleProcessLoop;
import io.qadistill.train.StepStats;
import io.qadistill.model.StudentSpec;
import io.qadistill.train.TrainData;
import io.qadistill.train.TrainFixture;
import io.qadistill.train.TrainRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The distributed step's cost on real work: a 3-layer student taken from all-MiniLM-L6-v2 (17.4M parameters)
 * distilled from MiniLM's logits on real SQuAD train windows, a batch per executor (8 unless given), with 1
 * executor (2 cores) and with 2 executors (1 core each), each a separate JVM (Spark's local-cluster master), and
 * with 2 executors taking 4 local steps per exchange, against a plain single-process DJL loop with 2 threads in
 * the driver JVM over the same (union) batches (length-grouped, the trainer's default). Per step: the slowest
 * partition's gradient time, the exchange (broadcast, scheduling, aggregation; of it, the driver's creating the
 * broadcast, and the slowest task's time besides its gradient: getting the parameters, packing the result) and
 * the driver's update.
 * The machine may be shared: the loop runs before and after the Spark run, and its rate is over both.
 * Targets: Spark with 1 executor ≥ 0.9× the loop's windows/s; exchange ≤ 10% of the step with 2 executors.
 *
 * <p>{@code SPARK_HOME=$PWD/target/spark-home QADISTILL_JAVA_OPTS=-Xmx4g jobs/bench TrainBench [windows] [steps]
 * [length groups] [batch]} (defaults 256, 12, 50, 8; steps a multiple of 4 for the local-steps row's rounds;
 * length groups 0: random batches, as before 2026-11-23; batch: windows per executor per step). SPARK_HOME: see
 * {@link LocalCluster}.
 */
public final class TrainBench {
  private static final int CORES = 2;
  private static final int LOCAL_STEPS = 4;

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    int groups = args.length > 2 ? Integer.parseInt(args[2]) : Batching.LENGTH_GROUPS;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    Path work = Path.of("target/bench-train").toAbsolutePath();
    Path teacher = work.resolve("minilm");
    if (!Files.exists(teacher.resolve("model.safetensors"))) {
      OnnxImport.run(new OnnxImport.Config(OnnxImport.CLASSPATH, teacher, null, 1));
    }
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.trainV11(), count);
    double mean = windows.stream().mapToInt(SquadWindows.Window::length).average().orElse(0);
    System.out.printf("%d train-v1.1 windows (mean %.1f tokens), batch %d per executor, %d steps (first one "
        + "not counted), %d cores, length groups %d%n", count, mean, batch, steps, CORES, groups);

    StudentSpec student = StudentSpec.fromSource(teacher.toString(), 3, 1);
    Optimization optimization = Optimization.DEFAULT;
    StringBuilder table = new StringBuilder();
    // executors, local steps
    for (int[] run : new int[][] {{1, 1}, {2, 1}, {2, LOCAL_STEPS}}) {
      int executors = run[0];
      int threads = CORES / executors;
      Batching batching = new Batching(batch, 1, steps, executors, 42).withLocalSteps(run[1])
          .withLengthGroups(groups);
      SparkSession spark = LocalCluster.start("TrainBench", executors, threads, Map.of());
      try {
        Path dir = work.resolve("run-" + executors + "-" + run[1]);
        deleteTree(dir);
        Runtimes.setThreads(CORES);
        TrainFixture inputs = TrainFixture.create(spark, dir, windows, teacher);
        TrainData data = TrainData.prepare(spark, inputs.features(), inputs.logits(), null, executors);
        List<List<TrainRow>> batches;
        try {
          batches = SingleProcessLoop.unionBatches(data, batching, steps);
        } finally {
          data.release();
        }
        // loop, Spark, loop: the machine is shared, so the loop's rate is the mean of before and after
        List<StepStats> loop = new ArrayList<>(loop(student, optimization, steps, batches));
        DistillConfig config = new DistillConfig(inputs.features(), inputs.logits(), null,
            dir.resolve("out").toString(), student, DistillLoss.DEFAULT, optimization,
            batching, new Checkpointing(0, 1, false, 0), 1, 0);
        DistillJob.run(spark, config);
        // the first step (or round of local steps) left out
        List<StepStats> spark1 = MetricsFile.read(dir.resolve("out").resolve(MetricsFile.NAME));
        spark1 = spark1.subList(1, spark1.size());
        loop.addAll(loop(student, optimization, steps, batches));

        double sparkRate = rate(spark1);
        double loopRate = rate(loop);
        double compute = spark1.stream().mapToDouble(StepStats::computeSeconds).average().orElse(0);
        double exchange = spark1.stream().mapToDouble(StepStats::exchangeSeconds).average().orElse(0);
        double inTask = spark1.stream().mapToDouble(StepStats::inTaskSeconds).average().orElse(0);
        double broadcast = spark1.stream().mapToDouble(StepStats::broadcastSeconds).average().orElse(0);
        double update = spark1.stream().mapToDouble(StepStats::updateSeconds).average().orElse(0);
        double step = spark1.stream().mapToDouble(StepStats::seconds).average().orElse(0);
        // per step: a line of local steps is a round of K
        double k = run[1];
        step /= k;
        compute /= k;
        exchange /= k;
        inTask /= k;
        broadcast /= k;
        update /= k;
        String line = String.format("| %d × %d core%s%s | %.2f s | %.2f s (%.0f%%) | %.2f s (%.0f%%) | %.2f s "
                + "| %.2f s | %.3f s | %.1f | %.1f | %.2f× |", executors, threads, threads > 1 ? "s" : "",
            run[1] > 1 ? ", " + run[1] + " local steps" : "", step, compute,
            100 * compute / step, exchange, 100 * exchange / step, broadcast, inTask, update, sparkRate, loopRate,
            sparkRate / loopRate);
        System.out.println(line);
        table.append(line).append('\n');
      } finally {
        if (spark != null) {
          spark.stop();
        }
      }
    }
    System.out.println();
    System.out.println("| executors | step | gradient (slowest partition) | exchange | of which broadcast "
        + "created | in tasks | driver update | Spark windows/s | loop windows/s | Spark / loop |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    System.out.print(table);
  }

  /** The single-process loop with all cores, its first step left out. */
  private static List<StepStats> loop(StudentSpec student, Optimization optimization, int steps,
                                      List<List<TrainRow>> batches) {
    JniUtils.setNumThreads(CORES);
    return SingleProcessLoop.run(student, DistillLoss.DEFAULT, optimization, steps, batches).steps()
        .subList(1, steps);
  }

  private static double rate(List<StepStats> steps) {
    double windows = steps.stream().mapToLong(StepStats::windows).sum();
    double seconds = steps.stream().mapToDouble(StepStats::seconds).sum();
    return windows / seconds;
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
