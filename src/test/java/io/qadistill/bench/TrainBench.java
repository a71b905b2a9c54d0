package io.qadistill.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.Runtimes;
import io.qadistill.model.SquadWindows;
import io.qadistill.model.StudentSpec;
import io.qadistill.testing.TestData;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.CheckpointSettings;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.MetricsFile;
import io.qadistill.train.OptimizerSettings;
import io.qadistill.train.SingleProcessLoop;
import io.qadistill.train.StepStats;
import io.qadistill.train.TrainConfig;
import io.qadistill.train.TrainData;
import io.qadistill.train.TrainFixture;
import io.qadistill.train.TrainJob;
import io.qadistill.train.TrainRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The distributed step's cost on real work: a 3-layer student taken from all-MiniLM-L6-v2 (17,242,754 parameters)
 * distilled from MiniLM's logits on real SQuAD train windows, a batch per executor (8 unless given), with 1
 * executor (2 cores) and with 2 executors (1 core each), each a separate JVM (Spark's local-cluster master), and
 * with 2 executors taking 4 local steps per exchange, against a plain single-process DJL loop with 2 threads in
 * the driver JVM over the same (union) batches (length-grouped, the trainer's default). Per step: the slowest
 * partition's gradient time, the exchange (broadcast, scheduling, aggregation; of it, the driver's creating the
 * broadcast, and the slowest task's time besides its gradient and update: getting and unpacking the broadcast,
 * packing the result), the replicas' AdamW update (the driver's averaging with local steps), and the bytes sent
 * down to each executor and up from all of them.
 * The machine may be shared: the loop runs before and after the Spark run, and its rate is over both; each row
 * prints the load average before and after it.
 * Targets: Spark with 1 executor ≥ 0.9× the loop's windows/s; exchange ≤ 10% of the step with 2 executors.
 *
 * <p>{@code SPARK_HOME=$PWD/target/spark-home QADISTILL_JAVA_OPTS=-Xmx4g jobs/bench TrainBench [windows] [steps]
 * [length groups] [batch] [rows]} (defaults 256, 12, 50, 8, 1,2,2x4; steps a multiple of 4 for the local-steps
 * row's rounds; length groups 0: random batches, as before 2026-11-23; batch: windows per executor per step; rows:
 * executors, or executors x local steps, e.g. {@code 1,2}). SPARK_HOME: see {@link LocalCluster}.
 */
public final class TrainBench {
  private static final int CORES = 2;
  private static final int LOCAL_STEPS = 4;

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    int groups = args.length > 2 ? Integer.parseInt(args[2]) : BatchSettings.LENGTH_GROUPS;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    // rows: executors, or executors x local steps; all three unless given (a loaded machine makes each take long)
    int[][] rows = Arrays.stream((args.length > 4 ? args[4] : "1,2,2x" + LOCAL_STEPS).split(","))
        .map(r -> r.split("x"))
        .map(r -> new int[] {Integer.parseInt(r[0]), r.length > 1 ? Integer.parseInt(r[1]) : 1})
        .toArray(int[][]::new);
    Path work = Path.of("target/bench-train").toAbsolutePath();
    Path teacher = work.resolve("minilm");
    if (!Files.exists(teacher.resolve("model.safetensors"))) {
      OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, teacher, null, 1));
    }
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.trainV11(), count);
    double mean = windows.stream().mapToInt(SquadWindows.Window::length).average().orElse(0);
    System.out.printf("%d train-v1.1 windows (mean %.1f tokens), batch %d per executor, %d steps (first one "
        + "not counted), %d cores, length groups %d%n", count, mean, batch, steps, CORES, groups);

    StudentSpec student = StudentSpec.fromSource(teacher.toString(), 3, 1);
    OptimizerSettings optimization = OptimizerSettings.DEFAULT;
    StringBuilder table = new StringBuilder();
    // the features and MiniLM's logits on them, made once (minutes on 2 cores) and kept for later runs
    Path inputsDir = work.resolve("inputs-" + count);
    TrainFixture inputs = new TrainFixture(inputsDir.resolve("features").toString(),
        inputsDir.resolve("logits").toString(), teacher.toString(), windows);
    // executors, local steps
    for (int[] run : rows) {
      int executors = run[0];
      int threads = CORES / executors;
      BatchSettings batching = new BatchSettings(batch, 1, steps, executors, 42).withLocalSteps(run[1])
          .withLengthGroups(groups);
      String loadBefore = loadAverage();
      SparkSession spark = LocalCluster.start("TrainBench", executors, threads, Map.of());
      try {
        Path dir = work.resolve("run-" + executors + "-" + run[1]);
        deleteTree(dir);
        Runtimes.setThreads(CORES); // also loads the PyTorch engine, which loop() needs
        if (!Files.exists(inputsDir.resolve("done"))) {
          deleteTree(inputsDir);
          TrainFixture.create(spark, inputsDir, windows, teacher);
          Files.createFile(inputsDir.resolve("done"));
        }
        TrainData data = TrainData.prepare(spark, inputs.features(), inputs.logits(), null, executors);
        List<List<TrainRow>> batches;
        try {
          batches = SingleProcessLoop.unionBatches(data, batching, steps);
        } finally {
          data.release();
        }
        // loop, Spark, loop: the machine is shared, so the loop's rate is the mean of before and after
        List<StepStats> loop = new ArrayList<>(loop(student, optimization, steps, batches));
        TrainConfig config = new TrainConfig(inputs.features(), inputs.logits(), null,
            dir.resolve("out").toString(), student, DistillLoss.DEFAULT, optimization,
            batching, new CheckpointSettings(0, 1, false, 0), TrainConfig.LOG_EVERY, 0);
        new TrainJob(config).run(spark);
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
        double down = spark1.stream().mapToLong(StepStats::bytesDown).average().orElse(0) / 1e6;
        double up = spark1.stream().mapToLong(StepStats::bytesUp).average().orElse(0) / 1e6;
        double step = spark1.stream().mapToDouble(StepStats::seconds).average().orElse(0);
        // per step: a line of local steps is a round of K
        double k = run[1];
        step /= k;
        compute /= k;
        exchange /= k;
        inTask /= k;
        broadcast /= k;
        update /= k;
        down /= k;
        up /= k;
        String line = String.format("| %d × %d core%s%s | %.2f s | %.2f s (%.0f%%) | %.2f s (%.0f%%) | %.3f s "
                + "| %.2f s | %.3f s | %.1f MB | %.1f MB | %.1f | %.1f | %.2f× | %s → %s |", executors, threads,
            threads > 1 ? "s" : "", run[1] > 1 ? ", " + run[1] + " local steps" : "", step, compute,
            100 * compute / step, exchange, 100 * exchange / step, broadcast, inTask, update, down, up, sparkRate,
            loopRate, sparkRate / loopRate, loadBefore, loadAverage());
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
        + "created | in tasks | update | down per executor | up | Spark windows/s | loop windows/s | Spark / loop "
        + "| load average |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    System.out.print(table);
  }

  /** The single-process loop with all cores, its first step left out. */
  private static List<StepStats> loop(StudentSpec student, OptimizerSettings optimization, int steps,
                                      List<List<TrainRow>> batches) {
    JniUtils.setNumThreads(CORES);
    return SingleProcessLoop.run(student, DistillLoss.DEFAULT, optimization, steps, batches).steps()
        .subList(1, steps);
  }

  /** The 1-minute load average, as uptime shows it. */
  private static String loadAverage() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
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
