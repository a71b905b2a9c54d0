package io.qadistill.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * A Spark standalone cluster on this machine, for tests that need executors in JVMs of their own (to kill one, or
 * to see what a task closure carries, or to train over executors of their own): a master and one or more workers,
 * each a JVM started from this JVM's classpath, on 127.0.0.1. Applications run as driver JVMs started by
 * {@link #launch}; the workers start their executors.
 *
 * <p>No Spark distribution is needed: the worker gets {@code SPARK_HOME} pointing at an empty directory and
 * {@code SPARK_TESTING=1}, so Spark's launcher adds no {@code jars/} directory of its own (as in Spark's own
 * tests), and every JVM gets the classpath through one manifest-only jar ({@code classpath.jar}, whose
 * {@code Class-Path} lists this JVM's classpath), which keeps the command lines short. JVM flags come from
 * {@code conf/jvm.options}. Logs go to files under the cluster's directory. {@link #close()} ends every JVM it
 * started, executors included.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final Path classpathJar;
  private final List<String> jvmOptions;
  private final String masterUrl;
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();

  private StandaloneCluster(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.classpathJar = writeClasspathJar(dir.resolve("classpath.jar"));
    this.jvmOptions = Files.readAllLines(Path.of("conf/jvm.options")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    this.masterUrl = "spark://127.0.0.1:" + freePort();
  }

  /** Starts a master and a worker with {@code cores} cores and {@code memoryMb} MiB for executors; waits for both. */
  public static StandaloneCluster start(Path dir, int cores, int memoryMb) {
    return start(dir, 1, cores, memoryMb);
  }

  /**
   * Starts a master and {@code workers} workers, each with {@code cores} cores and {@code memoryMb} MiB for
   * executors; waits until all have registered.
   */
  public static StandaloneCluster start(Path dir, int workers, int cores, int memoryMb) {
    StandaloneCluster cluster = null;
    try {
      cluster = new StandaloneCluster(dir);
      String port = cluster.masterUrl.substring(cluster.masterUrl.lastIndexOf(':') + 1);
      Process master = cluster.daemon("master", "org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", port, "--webui-port", "0");
      cluster.awaitLine(master, cluster.dir.resolve("master.log"), "I have been elected leader", START_TIMEOUT);
      for (int w = 0; w < workers; w++) {
        String name = workerName(w, workers);
        Process worker = cluster.daemon(name, "org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--cores", String.valueOf(cores), "--memory", memoryMb + "m",
            "--webui-port", "0", "--work-dir", cluster.dir.resolve(name + "-work").toString(), cluster.masterUrl);
        cluster.workers.add(worker);
      }
      for (int w = 0; w < workers; w++) {
        cluster.awaitLine(cluster.workers.get(w), cluster.dir.resolve(workerName(w, workers) + ".log"),
            "Successfully registered with master", START_TIMEOUT);
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** A worker's name, which its log and work directory take: "worker" when there is only one. */
  private static String workerName(int w, int workers) {
    return workers == 1 ? "worker" : "worker-" + w;
  }

  /** {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    return masterUrl;
  }

  /**
   * The settings an application of this cluster needs: the executors' classpath and JVM flags, the driver on
   * 127.0.0.1, no UI. {@link #launch} passes them; a caller's settings win.
   */
  public Map<String, String> applicationConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", masterUrl);
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.executor.extraClassPath", classpathJar.toString());
    conf.put("spark.executor.extraJavaOptions", String.join(" ", jvmOptions));
    return conf;
  }

  /**
   * Starts a driver JVM: {@code mainClass} with {@code args}, this cluster's {@link #applicationConf()} and
   * {@code conf} (which wins) as {@code -D} system properties ({@code spark.driver.memory} as its heap, 1g unless
   * given), stdout to {@code NAME.out} and stderr to {@code NAME.log} in the cluster's directory.
   */
  public Process launch(String name, String mainClass, Map<String, String> conf, String... args) {
    Map<String, String> all = new LinkedHashMap<>(applicationConf());
    all.putAll(conf);
    List<String> cmd = new ArrayList<>(javaCommand("-Xmx" + all.getOrDefault("spark.driver.memory", "1g")));
    String log4j = System.getProperty("log4j2.configurationFile");
    if (log4j != null) {
      cmd.add("-Dlog4j2.configurationFile=" + log4j);
    }
    all.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
          .redirectError(dir.resolve(name + ".log").toFile());
      return register(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  /** Where {@link #launch}{@code (name, …)} writes stdout ({@code .out}) or stderr ({@code .log}). */
  public Path output(String name, String suffix) {
    return dir.resolve(name + suffix);
  }

  /** The executor JVMs running now: the workers' child processes. */
  public List<ProcessHandle> executors() {
    return workers.stream().flatMap(Process::children).filter(ProcessHandle::isAlive).toList();
  }

  /**
   * The stderr files of the executors the workers started ({@code WORKER-work/APP/EXECUTOR/stderr}), the oldest
   * application's first (application ids begin with their start time).
   */
  public List<Path> executorLogs() {
    try (var files = Files.find(dir, 4, (p, a) -> p.getFileName().toString().equals("stderr")
        && p.getParent().getParent().getFileName().toString().startsWith("app-"))) {
      return files.sorted(java.util.Comparator.comparing((Path p) -> p.getParent().getParent().getFileName())
          .thenComparing(p -> p.getParent().getFileName())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the executors' logs under " + dir, e);
    }
  }

  /**
   * Waits until a line of {@code log} contains {@code text}, failing when {@code process} ends first or
   * {@code timeout} passes.
   */
  public void awaitLine(Process process, Path log, String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (contains(log, text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the process writing " + log + " ended (exit " + process.exitValue()
            + ") before logging \"" + text + "\":\n" + tail(log));
      }
      sleep(200);
    }
    throw new IllegalStateException("no \"" + text + "\" in " + log + " after " + timeout + ":\n" + tail(log));
  }

  /** The last lines of a log, for failure messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
      return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream().collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    // drivers first, then the worker's executors and the worker, the master last
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Process daemon(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(javaCommand("-Xmx512m"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    Path home = Files.createDirectories(dir.resolve("spark-home"));
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_TESTING", "1");
    return register(pb.start());
  }

  private List<String> javaCommand(String heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add(heap);
    cmd.add("-cp");
    cmd.add(classpathJar.toString());
    return cmd;
  }

  private Process register(Process p) {
    processes.add(p);
    return p;
  }

  /** A jar whose manifest's Class-Path is this JVM's classpath (absolute URIs; surefire's booter jar chains on). */
  private static Path writeClasspathJar(Path jar) throws IOException {
    String entries = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().toUri().toString())
        .collect(Collectors.joining(" "));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, entries);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      return jar;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean contains(Path log, String text) {
    try {
      return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
