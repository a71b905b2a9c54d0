package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.cli.Main;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * distill as a user runs it on a cluster ({@code qadistill distill}, the driver and the executor in JVMs of their
 * own), with the executor JVM killed mid-run: the standalone master starts another, whose task finds no replica,
 * and the run goes back to the driver's copy (its newest checkpoint), redoes the steps since and ends where the
 * same run ends uninterrupted (in local mode here, one PyTorch thread in both): the parameters to 1e-5, every
 * step's loss once in metrics.jsonl. About two minutes on 2 idle cores (four JVM starts, then the local run).
 */
@Tag("slow")
class TrainClusterTest {
  private static final int STEPS = 60;
  private static final int CHECKPOINT_EVERY = 10;
  private static final Pattern ROLLBACK = Pattern.compile("rebuilt from the driver's copy of step (\\d+)");

  @TempDir Path tmp;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES) // its driver waits 5 + 10 minutes at most; cluster start besides
  void anExecutorKilledMidRunIsReplacedAndTheRunEndsAsIfUninterrupted() throws Exception {
    TrainFixture fixture = TrainFixture.shared();
    String out = tmp.resolve("student").toString();
    String[] args = {"distill", "--features", fixture.features(), "--logits", fixture.logits(), "--init",
        fixture.teacher(), "--layers", "1", "--dropout", "0", "--out", out, "--max-steps", "" + STEPS,
        "--batch-size", "3", "--partitions", "1", "--threads", "1", "--seed", "7", "--learning-rate", "1e-3",
        "--adam-epsilon", "1e-3", "--max-grad-norm", "0.5", "--checkpoint-every", "" + CHECKPOINT_EVERY,
        "--log-every", "1"};

    try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 1, 1536)) {
      Process run = cluster.launch("distill", Main.class.getName(), Map.of("spark.executor.memory", "1g"), args);
      Path log = cluster.output("distill", ".log");
      // generous: on a machine shared with other builds, starting a driver and an executor can take minutes
      cluster.awaitLine(run, log, "distill: step 15/" + STEPS, Duration.ofMinutes(5));
      List<ProcessHandle> executors = cluster.executors();
      assertThat(executors).as("executor JVMs").hasSize(1);
      executors.forEach(ProcessHandle::destroyForcibly);
      assertThat(run.waitFor(10, TimeUnit.MINUTES)).as("the driver ends").isTrue();
      assertThat(run.exitValue()).as("exit status; its log:\n%s", StandaloneCluster.tail(log)).isZero();
      JsonNode result = new ObjectMapper().readTree(Files.readString(cluster.output("distill", ".out")));
      assertThat(result.get("steps").asLong()).isEqualTo(STEPS);
      assertThat(result.get("rollbacks").asInt()).as("rebuilds from the driver's copy").isPositive();
      Matcher rollback = ROLLBACK.matcher(Files.readString(log));
      assertThat(rollback.find()).as("the rollback in the log:\n%s", StandaloneCluster.tail(log)).isTrue();
      assertThat(Long.parseLong(rollback.group(1)) % CHECKPOINT_EVERY).as("back to a checkpoint's step").isZero();
    }

    TrainConfig uninterrupted = new TrainConfig(fixture.features(), fixture.logits(), null,
        tmp.resolve("local").toString(), StudentSpec.fromSource(fixture.teacher(), 1, 7).withDropout(0),
        DistillLoss.DEFAULT, new OptimizerSettings(1e-3, 0, 1e-3, 0.5, 0),
        new BatchSettings(3, 3, STEPS, 1, 7), new CheckpointSettings(CHECKPOINT_EVERY, 2, false, 0), 1, 1);
    new TrainJob(uninterrupted).run(LocalSpark.get());
    try (QaModel cluster = ModelDirectory.load(Path.of(out));
         QaModel local = ModelDirectory.load(Path.of(uninterrupted.out()))) {
      ParameterLayout layout = new ParameterLayout(local);
      assertThat(DistributedStepTest.maxAbsDiff(layout.read(cluster), layout.read(local)))
          .as("max |interrupted on the cluster − uninterrupted|").isLessThan(1e-5);
    }
    List<StepStats> got = MetricsFile.read(Path.of(out, MetricsFile.NAME));
    List<StepStats> want = MetricsFile.read(Path.of(uninterrupted.out(), MetricsFile.NAME));
    assertThat(got).extracting(StepStats::step).as("each step once").containsExactlyElementsOf(
        want.stream().map(StepStats::step).toList());
    for (int i = 0; i < STEPS; i++) {
      assertThat(got.get(i).loss()).as("loss of step %d", i + 1).isCloseTo(want.get(i).loss(), within(1e-5));
    }
  }
}
