package io.qadistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.cli.Main;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.StandaloneCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * teacher-logits as a user runs it on a cluster ({@code qadistill teacher-logits --master spark://…}, the driver
 * and the executor in JVMs of their own), with the executor JVM killed half-way: that run fails without a visible
 * row, and a rerun gives every feature row exactly once. With each runtime: ONNX Runtime (the default on CPU
 * executors, in the default suite), whose graph the first driver makes and the rerun's reuses, and whose executor
 * opens one session for its two task slots; PyTorch in the slow suite. About a minute each on 2 idle cores (80
 * windows scored one and a half times, five JVM starts).
 */
class TeacherLogitsClusterTest {
  private static final int EXAMPLES = 80;
  private static final Pattern PROGRESS =
      Pattern.compile("teacher-logits: (\\d+)/(\\d+) \\([\\d.]+%\\) windows, [\\d.]+ windows/s, ETA \\S+");

  @TempDir Path tmp;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES) // its drivers wait 5 + 10 minutes at most; cluster start besides
  void anExecutorKilledHalfWayThenARerunGiveEveryRowExactlyOnceWithOnnxRuntime() throws Exception {
    killHalfWayThenRerun(ScoringRuntime.ONNX, "onnx (model.onnx)");
  }

  @Test
  @Tag("slow")
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void anExecutorKilledHalfWayThenARerunGiveEveryRowExactlyOnceWithPyTorch() throws Exception {
    killHalfWayThenRerun(ScoringRuntime.PYTORCH, "pytorch");
  }

  private void killHalfWayThenRerun(ScoringRuntime runtime, String scoredBy) throws Exception {
    SparkSession spark = LocalSpark.get();
    Path teacher = DevFeatures.importMiniLm(tmp.resolve("minilm"), 7);
    String features = DevFeatures.firstExamples(spark, tmp, EXAMPLES);
    long windows = spark.read().parquet(features).count();
    String out = tmp.resolve("logits").toString();
    String[] args = {"teacher-logits", "--features", features, "--teacher", teacher.toString(), "--out", out,
        "--rows-per-task", "8", "--runtime", runtime.option()};

    try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 1536)) {
      Map<String, String> conf = Map.of("spark.executor.memory", "1g",
          // a progress line every second, so the kill lands while rows are scored however fast they go
          "qadistill.progress.seconds", "1",
          // the executor's death fails the job at once instead of being retried on a new executor
          "spark.task.maxFailures", "1");
      Process first = cluster.launch("first", Main.class.getName(), conf, args);
      Path firstLog = cluster.output("first", ".log");
      // half-way: once the progress log shows rows done and rows to do
      // generous: on a machine shared with other builds, starting a driver and an executor can take minutes
      cluster.awaitLine(first, firstLog, "windows/s, ETA", Duration.ofMinutes(5));
      Matcher progress = PROGRESS.matcher(Files.readString(firstLog));
      assertThat(progress.find()).as("a progress line in\n%s", StandaloneCluster.tail(firstLog)).isTrue();
      assertThat(Long.parseLong(progress.group(2))).isEqualTo(windows);
      List<ProcessHandle> executors = cluster.executors();
      assertThat(executors).as("executor JVMs").hasSize(1);
      executors.forEach(ProcessHandle::destroyForcibly);
      assertThat(first.waitFor(5, TimeUnit.MINUTES)).as("the first driver ends").isTrue();
      assertThat(first.exitValue()).as("exit status of the run whose executor died").isNotZero();
      assertThat(LogitsTable.read(spark, out, null).count()).as("rows visible after the failed run").isZero();
      Path graph = teacher.resolve("model.onnx");
      assertThat(Files.exists(graph)).as("a graph made by the first driver").isEqualTo(runtime == ScoringRuntime.ONNX);
      FileTime made = Files.exists(graph) ? Files.getLastModifiedTime(graph) : null;

      Process second = cluster.launch("second", Main.class.getName(), Map.of("spark.executor.memory", "1g"), args);
      assertThat(second.waitFor(10, TimeUnit.MINUTES)).as("the rerun ends").isTrue();
      assertThat(second.exitValue()).as("rerun exit status; its log:\n%s",
          StandaloneCluster.tail(cluster.output("second", ".log"))).isZero();
      JsonNode result = new ObjectMapper().readTree(Files.readString(cluster.output("second", ".out")));
      assertThat(result.get("scored").asLong()).isEqualTo(windows);
      assertThat(result.get("runtime").asText()).isEqualTo(scoredBy);
      if (made != null) {
        assertThat(Files.getLastModifiedTime(graph)).as("the graph, reused by the rerun").isEqualTo(made);
      }
      // the rerun's one executor (two task slots, a task per 8 rows) opened the teacher once: its tasks shared it
      List<Path> executorLogs = cluster.executorLogs();
      assertThat(executorLogs).as("executors of both runs").hasSizeGreaterThanOrEqualTo(2);
      Path rerun = executorLogs.get(executorLogs.size() - 1);
      assertThat(Files.readAllLines(rerun).stream().filter(l -> l.contains(": opened by ")).toList())
          .as("teachers opened in %s", rerun).singleElement().asString().contains(scoredBy);
    }

    List<Row> logits = LogitsTable.read(spark, out, null).collectAsList();
    assertThat(logits).hasSize((int) windows);
    assertThat(logits.stream().map(r -> r.getAs("example_id") + "#" + r.getAs("window")).distinct().count())
        .as("distinct feature keys among the logits").isEqualTo(windows);
    assertThat(FeaturesTable.read(spark, features, FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW)
        .except(LogitsTable.read(spark, out, null).select("example_id", "window")).count())
        .as("feature rows without logits").isZero();
    assertThat(staged(Path.of(out))).as("staged runs left behind").isEmpty();
  }

  private static List<Path> staged(Path out) throws IOException {
    Path staging = out.resolve(LogitsTable.STAGING_DIR);
    if (!Files.exists(staging)) {
      return List.of();
    }
    try (var children = Files.list(staging)) {
      return children.toList();
    }
  }
}
