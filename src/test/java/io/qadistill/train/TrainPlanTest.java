package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.StudentSpec;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's plan: steps from epochs or --max-steps, warm-up in steps or as transformers' ⌈ratio × steps⌉, intervals
 * in steps or as a fraction of the steps; and {@link TrainJob#plan} counts the windows the job trains on (those
 * with the teacher's logits), as the job does.
 */
class TrainPlanTest {
  private static final StudentSpec STUDENT = StudentSpec.random(1, 32, 2, 64, 1);

  private static TrainConfig config(OptimizerSettings optimizer, double checkpointEvery, double logEvery) {
    return TrainConfig.defaults("features", null, "out", STUDENT).withOptimizer(optimizer)
        .withBatches(new BatchSettings(8, 2, 0, 2, 1))
        .withCheckpoints(new CheckpointSettings(checkpointEvery, 1, false, 0)).withLogEvery(logEvery);
  }

  @Test
  void stepsWarmUpAndIntervals() {
    // 1,000 windows in 2 partitions of batches of 8: ⌈1000 / 16⌉ = 63 steps an epoch, 2 epochs
    TrainPlan ratios = TrainPlan.of(config(new OptimizerSettings(1e-4, 0, 1e-8, 1, 0, 0.1), 0.25, 0.05), 1000, 2);
    assertThat(ratios).isEqualTo(new TrainPlan(2, 1000, 126, 13, 32, 7, 1));
    TrainPlan steps = TrainPlan.of(config(new OptimizerSettings(1e-4, 0, 1e-8, 1, 5, 0.1), 50, 1), 1000, 2);
    assertThat(steps).as("warm-up steps win over the ratio").isEqualTo(new TrainPlan(2, 1000, 126, 5, 50, 1, 1));
    TrainPlan endOnly = TrainPlan.of(config(OptimizerSettings.DEFAULT, 0, 0.001), 1000, 2);
    assertThat(endOnly.checkpointEvery()).as("0: only at the end").isZero();
    assertThat(endOnly.logEvery()).as("at least every step").isEqualTo(1);
    assertThat(endOnly.warmupSteps()).isZero();
  }

  @Test
  void badIntervalsAreUsageErrors() {
    assertThatThrownBy(() -> new CheckpointSettings(2.5, 1, false, 0)).isInstanceOf(UsageException.class)
        .hasMessageContaining("checkpoint every 2.5").hasMessageContaining("fraction");
    assertThatThrownBy(() -> TrainConfig.defaults("f", null, "o", STUDENT).withLogEvery(0))
        .isInstanceOf(UsageException.class).hasMessageContaining("log every 0");
    assertThatThrownBy(() -> new OptimizerSettings(1e-4, 0, 1e-8, 1, 0, 1.0)).isInstanceOf(UsageException.class)
        .hasMessageContaining("warm-up ratio 1.0");
  }

  @Test
  void theJobsPlanCountsTheWindowsWithLogits(@TempDir Path dir) {
    TrainFixture fixture = TrainFixture.shared();
    String logits = dir.resolve("logits").toString();
    TrainFixture.writeLogits(LocalSpark.get(), Path.of(fixture.teacher()), fixture.windows().subList(0, 30),
        logits + "/teacher=" + TrainFixture.TEACHER_ID + "/run=1");
    TrainConfig distill = TrainConfig.defaults(fixture.features(), logits, "out", STUDENT)
        .withBatches(new BatchSettings(3, 1, 0, 2, 7));
    TrainPlan plan = TrainJob.plan(LocalSpark.get(), distill);
    assertThat(plan.windows()).as("of the 40 feature windows, those with logits").isEqualTo(30);
    assertThat(plan.steps()).as("⌈30 / (2 × 3)⌉").isEqualTo(5);
    assertThat(plan.partitions()).isEqualTo(2);
    TrainConfig finetune = TrainConfig.defaults(fixture.features(), null, "out", STUDENT)
        .withBatches(new BatchSettings(3, 1, 0, 2, 7));
    assertThat(TrainJob.plan(LocalSpark.get(), finetune).windows()).isEqualTo(40);
  }
}
