package io.qadistill.train;

import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.QaModel;
import io.qadistill.model.ModelDirectory;
import io.qadistill.testing.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped after step k and resumed ends where the uninterrupted run ends (to 1e-5), both when it stopped
 * with a checkpoint of step k (--stop-after) and when it was killed after step k with its newest checkpoint older
 * (the newer one deleted here), so that the resumed run redoes steps from there.
 */
class CheckpointResumeTest {
  private static final int STEPS = 5;

  @TempDir Path dir;
  private final TrainFixture fixture = TrainFixture.shared();
  private final SparkSession spark = LocalSpark.get();

  private DistillConfig config(String out) {
    StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    return DistillConfig.defaults(fixture.features(), fixture.logits(), dir.resolve(out).toString(), student)
        .withOptimization(new Optimization(1e-3, 0.01, 1e-3, 1.0, 1))
        .withBatching(new Batching(2, 1, STEPS, 2, 9))
        .withCheckpoints(new Checkpointing(2, 2, false, 0));
  }

  @Test
  void stoppedOrKilledThenResumedEqualsUninterrupted() throws IOException {
    DistillJob.Result whole = DistillJob.run(spark, config("whole"));
    assertThat(whole.stopped()).isFalse();
    assertThat(Checkpoints.list(dir.resolve("whole")).stream().map(p -> p.getFileName().toString()))
        .as("every 2 steps and at the end, the newest 2 kept").containsExactly("checkpoint-4", "checkpoint-5");

    DistillConfig parted = config("parted");
    DistillJob.Result first = DistillJob.run(spark, parted.withCheckpoints(parted.checkpoints().withStopAfter(3)));
    assertThat(first.stopped()).isTrue();
    assertThat(first.steps()).isEqualTo(3);
    assertThat(first.model()).isNull();
    assertThat(Files.exists(dir.resolve("parted").resolve(ModelDirectory.WEIGHTS))).isFalse();
    Path killed = dir.resolve("killed");
    copyTree(dir.resolve("parted"), killed);

    // stopped with a checkpoint of step 3: resume takes steps 4 and 5
    DistillJob.Result resumed = DistillJob.run(spark, parted.withCheckpoints(parted.checkpoints().withResume(true)));
    assertThat(resumed.startStep()).isEqualTo(3);
    assertThat(resumed.steps()).isEqualTo(STEPS);
    assertSameModel(dir.resolve("parted"), dir.resolve("whole"));
    assertSameMetrics(dir.resolve("parted"), dir.resolve("whole"));

    // killed after step 3 before its checkpoint: the newest is step 2's, and resume redoes step 3
    deleteTree(killed.resolve("checkpoint-3"));
    DistillConfig again = parted.withOut(killed.toString());
    DistillJob.Result redone = DistillJob.run(spark, again.withCheckpoints(again.checkpoints().withResume(true)));
    assertThat(redone.startStep()).isEqualTo(2);
    assertSameModel(killed, dir.resolve("whole"));
    assertSameMetrics(killed, dir.resolve("whole"));
    // the checkpoint is a model directory in its own right
    try (QaModel checkpoint = ModelDirectory.load(killed.resolve("checkpoint-5"))) {
      assertThat(checkpoint.config().numHiddenLayers()).isEqualTo(1);
    }
  }

  @Test
  void checkpointsOfAnotherRunOrWithoutResumeAreRefused() {
    DistillConfig config = config("out");
    DistillJob.run(spark, config.withCheckpoints(config.checkpoints().withStopAfter(1)));
    assertThatThrownBy(() -> DistillJob.run(spark, config))
        .isInstanceOf(UsageException.class).hasMessageContaining("holds checkpoints").hasMessageContaining("--resume");
    DistillConfig otherBatch = config.withBatching(new Batching(3, 1, STEPS, 2, 9))
        .withCheckpoints(config.checkpoints().withResume(true));
    assertThatThrownBy(() -> DistillJob.run(spark, otherBatch))
        .isInstanceOf(UsageException.class).hasMessageContaining("checkpoint of another run")
        .hasMessageContaining("batch_size 3 vs 2");
  }

  private static void assertSameModel(Path a, Path b) {
    try (QaModel x = ModelDirectory.load(a); QaModel y = ModelDirectory.load(b)) {
      ParameterLayout layout = new ParameterLayout(x);
      assertThat(DistributedStepTest.maxAbsDiff(layout.read(x), layout.read(y)))
          .as("max |resumed − uninterrupted|").isLessThan(1e-5);
    }
  }

  private static void assertSameMetrics(Path a, Path b) throws IOException {
    List<StepStats> x = MetricsFile.read(a.resolve(MetricsFile.NAME));
    List<StepStats> y = MetricsFile.read(b.resolve(MetricsFile.NAME));
    assertThat(x.stream().map(StepStats::step)).containsExactly(1L, 2L, 3L, 4L, 5L);
    for (int i = 0; i < x.size(); i++) {
      assertThat(x.get(i).loss()).as("loss of step %d", i + 1).isCloseTo(y.get(i).loss(),
          org.assertj.core.api.Assertions.within(1e-6));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
