package io.qadistill.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Spark's local-cluster master for benchmarks that need executors in JVMs of their own: {@code executors}
 * executor JVMs of {@code cores} cores, one task each using all of them (spark.task.cpus = cores, as the README
 * asks of training), started with the bench's class path and JVM flags.
 *
 * <p>$SPARK_HOME must name a directory this program may fill: local-cluster starts executors with
 * {@code SPARK_HOME/jars/*} as their class path, which is made to link every jar of this JVM's class path.
 */
final class LocalCluster {
  private LocalCluster() {}

  static SparkSession start(String app, int executors, int cores, Map<String, String> conf) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    String flags;
    try (Stream<String> lines = Files.lines(root.resolve("conf/jvm.options"))) {
      flags = lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.joining(" "));
    }
    SparkSession.Builder builder = SparkSession.builder()
        .master("local-cluster[" + executors + "," + cores + ",3072]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "2g")
        // Spark also sets the executors' OMP_NUM_THREADS from it (at 1, a 2-thread gradient took 1.17x as long)
        .config("spark.task.cpus", String.valueOf(cores))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.home", sparkHome().toString())
        .config("spark.executor.extraClassPath", root.resolve("target/test-classes") + File.pathSeparator
            + root.resolve("target/classes"))
        .config("spark.executor.extraJavaOptions", flags + " -Dlog4j2.configurationFile="
            + root.resolve("conf/log4j2.xml"));
    conf.forEach(builder::config);
    return builder.getOrCreate();
  }

  /** $SPARK_HOME, made to look like a Spark installation to the executor launcher. */
  private static Path sparkHome() throws Exception {
    String env = System.getenv("SPARK_HOME");
    if (env == null) {
      throw new IllegalStateException("set SPARK_HOME to a directory this bench may fill, e.g. "
          + "SPARK_HOME=$PWD/target/spark-home jobs/bench TrainBench");
    }
    Path home = Path.of(env).toAbsolutePath();
    Path jars = home.resolve("jars");
    Files.createDirectories(jars);
    // Spark's launcher takes the Scala version from this directory (or $SPARK_SCALA_VERSION)
    Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
      }
    }
    return home;
  }
}
