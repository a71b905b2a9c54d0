package io.qadistill.train;

import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  private TrainConfig config(String out) {
    StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    return TrainConfig.defaults(fixture.features(), fixture.logits(), dir.resolve(out).toString(), student)
        .withOptimizer(new OptimizerSettings(1e-3, 0.01, 1e-3, 1.0, 1))
        .withBatches(new BatchSettings(2, 1, STEPS, 2, 9))
        .withCheckpoints(new CheckpointSettings(2, 2, false, 0));
  }

  @Test
  void stoppedOrKilledThenResumedEqualsUninterrupted() throws IOException {
    TrainJob.Result whole = new TrainJob(config("whole")).run(spark);
    assertThat(whole.stopped()).isFalse();
    assertThat(Checkpoints.list(dir.resolve("whole")).stream().map(p -> p.getFileName().toString()))
        .as("every 2 steps and at the end, the newest 2 kept").containsExactly("checkpoint-4", "checkpoint-5");

    TrainConfig parted = config("parted");
    TrainJob.Result first = new TrainJob(parted.withCheckpoints(parted.checkpoints().withStopAfter(3))).run(spark);
    assertThat(first.stopped()).isTrue();
    assertThat(first.steps()).isEqualTo(3);
    assertThat(first.model()).isNull();
    assertThat(Files.exists(dir.resolve("parted").resolve(ModelDirectory.WEIGHTS))).isFalse();
    Path killed = dir.resolve("killed");
    copyTree(dir.resolve("parted"), killed);

    // stopped with a checkpoint of step 3: resume takes steps 4 and 5
    TrainJob.Result resumed = new TrainJob(parted.withCheckpoints(parted.checkpoints().withResume(true))).run(spark);
    assertThat(resumed.startStep()).isEqualTo(3);
    assertThat(resumed.steps()).isEqualTo(STEPS);
    assertSameModel(dir.resolve("parted"), dir.resolve("whole"));
    assertSameMetrics(dir.resolve("parted"), dir.resolve("whole"));

    // killed after step 3 before its checkpoint: the newest is step 2's, and resume redoes step 3
    deleteTree(killed.resolve("checkpoint-3"));
    TrainConfig again = parted.withOut(killed.toString());
    TrainJob.Result redone = new TrainJob(again.withCheckpoints(again.checkpoints().withResume(true))).run(spark);
    assertThat(redone.startStep()).isEqualTo(2);
    assertSameModel(killed, dir.resolve("whole"));
    assertSameMetrics(killed, dir.resolve("whole"));
    // the checkpoint is a model directory in its own right
    try (QaModel checkpoint = ModelDirectory.load(killed.resolve("checkpoint-5"))) {
      assertThat(checkpoint.config().numHiddenLayers()).isEqualTo(1);
    }
  }

  /**
   * A run killed while it wrote checkpoint 4 leaves what the writer had written by then under the hidden name:
   * here the model directory with half its weights file (killed mid-write), or every file but not yet renamed.
   * Either way resume continues from checkpoint 3, the newest complete one, ends where the uninterrupted run ends,
   * and its own checkpoint 4 replaces the leftover.
   */
  @ParameterizedTest(name = "killed {0}")
  @ValueSource(strings = {"while writing the weights", "before the rename"})
  void aHalfWrittenCheckpointIsSkippedOnResume(String when) throws IOException {
    Runs runs = wholeAndStoppedAfter3();
    Path out = dir.resolve("killed");
    copyTree(runs.stopped(), out);
    Path part = out.resolve(".checkpoint-4.part");
    copyTree(runs.whole().resolve("checkpoint-4"), part);
    if (when.startsWith("while")) {
      Files.delete(part.resolve(Checkpoints.OPTIMIZER));
      Files.delete(part.resolve(Checkpoints.STATE));
      Path weights = part.resolve(ModelDirectory.WEIGHTS);
      byte[] bytes = Files.readAllBytes(weights);
      Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    }
    assertThat(Checkpoints.latest(out)).as("the newest complete checkpoint").contains(out.resolve("checkpoint-3"));

    TrainConfig resume = config("x").withOut(out.toString());
    TrainJob.Result resumed = new TrainJob(resume.withCheckpoints(resume.checkpoints().withResume(true))).run(spark);
    assertThat(resumed.startStep()).isEqualTo(3);
    assertSameModel(out, runs.whole());
    assertSameMetrics(out, runs.whole());
    assertThat(part).as("the leftover, replaced by the resumed run's checkpoint 4").doesNotExist();
  }

  private record Runs(Path whole, Path stopped) {}

  private Runs wholeAndStoppedAfter3() {
    new TrainJob(config("whole")).run(spark);
    TrainConfig parted = config("parted");
    new TrainJob(parted.withCheckpoints(parted.checkpoints().withStopAfter(3))).run(spark);
    return new Runs(dir.resolve("whole"), dir.resolve("parted"));
  }

  @Test
  void checkpointsOfAnotherRunOrWithoutResumeAreRefused() {
    TrainConfig config = config("out");
    new TrainJob(config.withCheckpoints(config.checkpoints().withStopAfter(1))).run(spark);
    assertThatThrownBy(() -> new TrainJob(config).run(spark))
        .isInstanceOf(UsageException.class).hasMessageContaining("holds checkpoints").hasMessageContaining("--resume");
    TrainConfig otherBatch = config.withBatches(new BatchSettings(3, 1, STEPS, 2, 9))
        .withCheckpoints(config.checkpoints().withResume(true));
    assertThatThrownBy(() -> new TrainJob(otherBatch).run(spark))
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
