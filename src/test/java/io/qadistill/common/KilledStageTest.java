package io.qadistill.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.model.OnnxImport;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.MainProcess;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job killed (SIGKILL) while its stage writes leaves the previous output as it was: one test per kind of output,
 * a Spark table ({@code read}), a model directory ({@code import-model}), a report ({@code evaluate}) and files added
 * to a directory ({@code export-onnx}; training's final model is published the same way, {@link AddedFiles}). Each
 * command runs in a JVM of its own and is killed as soon as its hidden staging directory holds a file. (The logits
 * table, which runs add to, has its own test with an executor killed: TeacherLogitsClusterTest.)
 */
class KilledStageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final SparkSession spark = LocalSpark.get();

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aKilledSparkWriteLeavesThePreviousTable() throws Exception {
    Path examples = dir.resolve("examples");
    new ReadJob(ReadConfig.of(List.of(TestData.devV11().toString()), examples.toString())).run(spark);
    Map<String, String> before = contents(examples);

    killWhileStaging(examples, "read", "--master", "local[2]", "--input", TestData.devV20().toString(),
        "--out", examples.toString());

    assertThat(contents(examples)).isEqualTo(before);
    assertThat(spark.read().parquet(examples.toString()).count()).isEqualTo(10_570);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aKilledModelWriteLeavesThePreviousModelDirectory() throws Exception {
    Path model = dir.resolve("model");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, model, null, 7));
    Map<String, String> before = contents(model);

    killWhileStaging(model, "import-model", "--onnx", OnnxImport.CLASSPATH, "--seed", "8", "--out", model.toString());

    assertThat(contents(model)).isEqualTo(before);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aKilledReportLeavesThePreviousReport() throws Exception {
    Path examples = dir.resolve("examples");
    new ReadJob(ReadConfig.of(List.of(TestData.devV11().toString()), examples.toString())).run(spark);
    Map<String, String> answers = new LinkedHashMap<>();
    for (Row r : spark.read().parquet(examples.toString()).select("id", "answers.text").collectAsList()) {
      answers.put(r.getString(0), r.<String>getList(1).get(0));
    }
    Path predictions = Files.writeString(dir.resolve("predictions.json"), JSON.writeValueAsString(answers));
    Path report = dir.resolve("eval");
    Files.createDirectories(report);
    Files.writeString(report.resolve("report.html"), "<html>the previous report</html>");
    Map<String, String> before = contents(report);

    killWhileStaging(report, "evaluate", "--master", "local[2]", "--examples", examples.toString(),
        "--predictions", predictions.toString(), "--out", report.toString());

    assertThat(contents(report)).isEqualTo(before);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aKilledExportAddsNothingToTheModelDirectory() throws Exception {
    Path model = dir.resolve("model");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, model, null, 7));
    Map<String, String> before = contents(model);

    killWhileStaging(model, "export-onnx", "--master", "local[1]", "--model", model.toString(), "--int8");

    // what it staged stays hidden inside the directory (.staging-*), where no reader of a model looks
    Map<String, String> after = contents(model);
    after.keySet().removeIf(f -> f.startsWith(".staging-"));
    assertThat(after).isEqualTo(before);
  }

  /**
   * Runs the command and kills it once a staging directory of {@code target} ({@code .NAME.staging-*} beside it, or
   * {@code .staging-*} inside it) holds a regular file; then no staging directory may have replaced the target.
   */
  private void killWhileStaging(Path target, String... args) throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs-" + target.getFileName()));
    Process p = MainProcess.start(logs, args);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (!stagingHoldsAFile(target)) {
        assertThat(p.isAlive()).as("the job ended before it wrote anything to stage; stderr:%n%s",
            MainProcess.stderr(logs)).isTrue();
        assertThat(System.nanoTime()).as("staging seen within 3 minutes").isLessThan(deadline);
        Thread.sleep(2);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(1, TimeUnit.MINUTES);
    }
    assertThat(p.exitValue()).as("killed (SIGKILL), not finished").isEqualTo(137);
  }

  private static boolean stagingHoldsAFile(Path target) throws IOException {
    String prefix = "." + target.getFileName() + ".staging-";
    List<Path> staging;
    try (Stream<Path> siblings = Files.list(target.getParent());
         Stream<Path> children = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
      staging = Stream.concat(siblings.filter(s -> s.getFileName().toString().startsWith(prefix)),
          children.filter(s -> s.getFileName().toString().startsWith(".staging-"))).toList();
    }
    for (Path s : staging) {
      try (Stream<Path> files = Files.walk(s)) {
        if (files.anyMatch(Files::isRegularFile)) {
          return true;
        }
      } catch (IOException | UncheckedIOException vanished) {
        // a file moved while walking: look again
      }
    }
    return false;
  }

  /** Every file under {@code root} (relative path → SHA-256 of its bytes). */
  private static Map<String, String> contents(Path root) throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
        files.put(root.relativize(f).toString(), HexFormat.of().formatHex(sha));
      }
    }
    assertThat(files).isNotEmpty();
    return files;
  }
}
