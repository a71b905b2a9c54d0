package io.qadistill.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaPredictor;
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
import io.qadistill.train.StudentSpec;
import io.qadistill.train.TrainData;
import io.qadistill.train.TrainFixture;
import io.qadistill.train.TrainRow;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
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
 * length groups 0: random batches, as before 2026-11-23; batch: windows per executor per step). SPARK_HOME must
 * name a directory this program may fill: local-cluster executors are started with {@code SPARK_HOME/jars/*} as
 * their class path, which it links to the bench's own jars.
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
    Path sparkHome = sparkHome();
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
      SparkSession spark = localCluster(executors, threads, sparkHome);
      try {
        Path dir = work.resolve("run-" + executors + "-" + run[1]);
        deleteTree(dir);
        QaPredictor.setThreads(CORES);
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
            batching, new Checkpointing(0, 1, false, 0), 1, threads);
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

  /**
   * Spark's local-cluster master: {@code executors} executor JVMs of {@code cores} cores each, started with
   * the bench's class path and JVM flags.
   */
  private static SparkSession localCluster(int executors, int cores, Path sparkHome) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    String flags;
    try (Stream<String> lines = Files.lines(root.resolve("conf/jvm.options"))) {
      flags = lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.joining(" "));
    }
    return SparkSession.builder()
        .master("local-cluster[" + executors + "," + cores + ",3072]")
        .appName("TrainBench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "2g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.home", sparkHome.toString())
        .config("spark.executor.extraClassPath", root.resolve("target/test-classes") + File.pathSeparator
            + root.resolve("target/classes"))
        .config("spark.executor.extraJavaOptions", flags + " -Dlog4j2.configurationFile="
            + root.resolve("conf/log4j2.xml"))
        .getOrCreate();
  }

  /**
   * $SPARK_HOME, made to look like a Spark installation to the executor launcher: jars/ linking every jar of this
   * JVM's class path.
   */
  private static Path sparkHome() throws Exception {
    String env = System.getenv("SPARK_HOME");
    if (env == null) {
      throw new IllegalStateException("set SPARK_HOME to a directory this bench may fill, e.g. "
          + "SPARK_HOME=$PWD/target/spark-home jobs/bench TrainBench");
    }
    Path jars = Path.of(env).toAbsolutePath().resolve("jars");
    Files.createDirectories(jars);
    // Spark's launcher takes the Scala version from this directory (or $SPARK_SCALA_VERSION)
    Files.createDirectories(Path.of(env).toAbsolutePath().resolve("launcher/target/scala-2.13"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
      }
    }
    return Path.of(env).toAbsolutePath();
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
