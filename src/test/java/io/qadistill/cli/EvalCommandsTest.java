package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.MainProcess;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate and predict commands: registered, their options documented, bad usage exits 2; and one real
 * {@code evaluate} run in a child JVM (a run in this JVM would stop the Spark session the tests share).
 */
class EvalCommandsTest {
  @Test
  void bothAreRegisteredAndDocumentTheirOptions() {
    assertThat(run(true, "evaluate", "--help").out()).contains("--examples", "--predictions", "--null-odds",
        "--compare", "--features", "--na-prob-thresh", "--squad-version", "report.html");
    assertThat(run(true, "predict", "--help").out()).contains("--model", "--logits", "--n-best-size",
        "--max-answer-length", "--null-score-diff-threshold", "--runtime", "--int8");
  }

  /** Refused while the options are parsed, before a Spark session starts. */
  @Test
  void predictWantsAModelOrALogitsTableAndAKnownVersion() {
    Captured both = run(false, "predict", "--examples", "e", "--features", "f", "--model", "m", "--logits", "l",
        "--out", "o");
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.err()).contains("--model=<model>, --logits=<logits> are mutually exclusive");
    Captured neither = run(false, "predict", "--examples", "e", "--features", "f", "--out", "o");
    assertThat(neither.status()).isEqualTo(2);
    assertThat(neither.err()).contains("Missing required argument", "--model=<model>", "--logits=<logits>");
    Captured badVersion = run(false, "evaluate", "--examples", "e", "--predictions", "p.json", "--out", "o",
        "--squad-version", "3");
    assertThat(badVersion.status()).isEqualTo(2);
    assertThat(badVersion.err()).contains("unknown SQuAD version '3'", "v1.1, v2.0");
  }

  /**
   * 200 dev-v2.0 questions answered by their first gold answer or "", with null odds; run as a user would.
   * Slow (a second JVM starting its own Spark: about a minute on 2 shared cores), so it runs with the slow suite
   * ({@code mvn -B test -Pslow}); EvaluateJobTest covers the job in the default run.
   */
  @Tag("slow")
  @Test
  void evaluateRunsFromTheCommandLine(@TempDir Path dir) throws Exception {
    String examplesPath = dir.resolve("examples").toString();
    SquadJson.examples(LocalSpark.get(), TestData.devV20()).limit(200).write().parquet(examplesPath);
    List<Row> examples = LocalSpark.get().read().parquet(examplesPath).collectAsList();
    Map<String, String> predictions = new LinkedHashMap<>();
    Map<String, Double> odds = new LinkedHashMap<>();
    int answered = 0;
    int unanswerable = 0;
    for (int i = 0; i < examples.size(); i++) {
      Row e = examples.get(i);
      List<String> gold = e.getStruct(4).getList(0);
      // Every fourth question is answered "" with high odds; the others their first gold answer, if any.
      boolean abstain = i % 4 == 0;
      predictions.put(e.getString(0), abstain || gold.isEmpty() ? "" : gold.get(0));
      odds.put(e.getString(0), abstain ? 2.0 : -1.0);
      answered += !abstain && !gold.isEmpty() ? 1 : 0;
      unanswerable += gold.isEmpty() ? 1 : 0;
    }
    ObjectMapper json = new ObjectMapper();
    json.writeValue(dir.resolve("predictions.json").toFile(), predictions);
    json.writeValue(dir.resolve("null_odds.json").toFile(), odds);
    Path out = dir.resolve("eval");

    Process p = MainProcess.start(dir, "evaluate", "--master", "local[2]", "--examples", examplesPath,
        "--predictions", dir.resolve("predictions.json").toString(),
        "--null-odds", dir.resolve("null_odds.json").toString(), "--out", out.toString());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished in 5 minutes").isTrue();
    assertThat(p.exitValue()).as("exit status; stderr:%n%s", MainProcess.stderr(dir)).isZero();

    // Answered questions score 1, unanswerable ones too ("" or odds 2 > 1.0); abstained answerable ones 0.
    int total = examples.size();
    double exact = 100.0 * (answered + unanswerable) / total;
    JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
    assertThat(summary.get("exact").asDouble()).isCloseTo(exact, within(1e-9));
    assertThat(summary.get("f1").asDouble()).isCloseTo(exact, within(1e-9));
    assertThat(summary.get("total").asInt()).isEqualTo(total);
    assertThat(summary.get("NoAns_exact").asDouble()).isEqualTo(100.0);
    // find_best_thresh: the abstained questions' raw "" gains nothing, so the best is reached after the last
    // answered question, at its odds -1.0 (and the key is there only because --null-odds was given).
    assertThat(summary.get("best_exact").asDouble()).isCloseTo(exact, within(1e-9));
    assertThat(summary.get("best_exact_thresh").asDouble()).isEqualTo(-1.0);
    JsonNode result = json.readTree(dir.resolve("stdout.txt").toFile());
    assertThat(result.get("version").asText()).isEqualTo("v2.0");
    assertThat(result.get("examples").asLong()).isEqualTo(total);
    assertThat(out.resolve("report.html")).exists();
    assertThat(Files.readString(out.resolve("report.html"))).contains(String.format(Locale.ROOT, "%.2f", exact));
    assertThat(LocalSpark.get().read().parquet(out.resolve("scores").toString()).count()).isEqualTo(total);
  }

  private record Captured(int status, String out, String err) {}

  private static Captured run(boolean expectSuccess, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    if (expectSuccess) {
      assertThat(status).as("exit status; stderr: %s", e.toString(StandardCharsets.UTF_8)).isZero();
    }
    return new Captured(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }
}
