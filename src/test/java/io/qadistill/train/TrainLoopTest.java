package io.qadistill.train;

import static io.qadistill.train.DistributedStepTest.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import io.qadistill.testing.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training job's parts on their own: a round ({@link Round}) as a function of its inputs, and the loop
 * ({@link TrainJob#train}) with listeners, when a replica is lost (its worker closed, as an executor's loss leaves
 * it: the next task finds none) or altered (the driver must notice). Local[2], the shared fixture's windows, a
 * 1-layer student without dropout, against the single-process loop.
 */
class TrainLoopTest {
  // ε = 1e-3 and clipping on, as DistributedStepTest (there the reason for ε is given); no warm-up, so that the
  // first update moves the parameters
  private static final OptimizerSettings OPTIMIZER = new OptimizerSettings(1e-3, 0.01, 1e-3, 0.5, 0);
  private static final int BATCH = 3;

  private final TrainFixture fixture = TrainFixture.shared();
  private final StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
  private final JavaSparkContext spark = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext());
  private TrainData data;
  private Worker.Spec spec;

  @AfterEach
  void release() {
    if (spec != null) {
      String run = spec.run();
      data.rows().foreachPartition(rows -> Worker.closeRun(run));
    }
    if (data != null) {
      data.release();
    }
  }

  /** The plan of {@code steps} steps over {@code partitions}, with the replicas compared every step. */
  private TrainPlan plan(int partitions, long steps) {
    data = TrainData.prepare(LocalSpark.get(), fixture.features(), fixture.logits(), null, partitions);
    TrainConfig config = TrainConfig.defaults(fixture.features(), fixture.logits(), "-", student)
        .withOptimizer(OPTIMIZER).withBatches(new BatchSettings(BATCH, 1, steps, partitions, 7)).withLogEvery(1);
    TrainPlan plan = TrainPlan.of(config, data.windows(), partitions);
    try (QaModel model = Students.build(student)) {
      spec = new Worker.Spec(UUID.randomUUID().toString(), model.config(), DistillLoss.DEFAULT, config.batches(),
          OPTIMIZER, plan.steps(), 1, data.partitionRows(), null);
    }
    return plan;
  }

  /** The student's parameters and zero moments. */
  private float[] initialState() {
    try (QaModel model = Students.build(student)) {
      ParameterLayout layout = new ParameterLayout(model);
      return Replicas.state(layout.read(model), new float[layout.size()], new float[layout.size()]);
    }
  }

  @Test
  void aRoundIsTheUnionBatchsGradientAndItsUpdateIsBitIdenticalOnEveryReplica() {
    TrainPlan plan = plan(2, 2);
    float[] state = initialState();
    int n = state.length / 3;
    Broadcast<Round.Payload> start = spark.broadcast(Round.Payload.state(0, state));
    GradientSum sum = Round.run(data.rows(), spec, Round.Input.step(0, true), start);
    start.destroy();

    List<TrainRow> union = SingleProcessLoop.unionBatches(data, spec.batches(), 1).get(0);
    GradientSum expected;
    try (QaModel model = Students.build(student)) {
      model.requireGradients();
      expected = GradientStep.compute(model, null, new ParameterLayout(model), union,
          DistillLoss.DEFAULT);
    }
    assertThat(sum.windows()).isEqualTo(2 * BATCH);
    assertThat(sum.loss()).isCloseTo(expected.loss(), within(1e-5 * expected.loss()));
    assertThat(maxAbsDiff(sum.gradient(), expected.gradient())).as("max |round's gradient − one process's|")
        .isLessThan(1e-5 * AdamW.norm(expected.gradient()));
    assertThat(sum.checksums()).as("both replicas, reset to the same state").hasSize(2);
    assertThat(sum.checksums().get(0)).isEqualTo(sum.checksums().get(1))
        .isEqualTo(Replica.checksum(0, state));

    // the update of that step, applied by the replicas in the round that fetches their state, and by one here
    Optimizer.Clip clip = Optimizer.clip(sum.gradient(), sum.windows(), OPTIMIZER);
    Broadcast<Round.Payload> update = spark.broadcast(Round.Payload.update(0, PackedFloats.of(sum.gradient()),
        clip.scale()));
    GradientSum fetched = Round.run(data.rows(), spec, Round.Input.fetch(1, 0, 3 * n, true), update);
    update.destroy();
    Replica here = new Replica(new Optimizer(layout(), OPTIMIZER, plan.steps()));
    here.reset(0, state.clone());
    here.setUpdate(0, sum.gradient().clone(), null, clip.scale());
    assertThat(here.advanceTo(1)).isTrue();
    // isEqualTo compares the arrays as Arrays.equals does (containsExactly's diff is quadratic in their length)
    assertThat(fetched.gradient()).as("partition 0's state after the update").isEqualTo(here.state());
    assertThat(fetched.checksums().values()).containsOnly(here.checksum());
    assertThat(maxAbsDiff(Arrays.copyOf(here.state(), n), Arrays.copyOf(state, n))).as("the update moved them")
        .isGreaterThan(1e-4);
  }

  @ParameterizedTest(name = "{0} partitions")
  @ValueSource(ints = {1, 2})
  void aLostReplicaSendsTheRunBackToTheDriversCopyAndItEndsAsIfNothingHappened(int partitions) {
    TrainPlan plan = plan(partitions, 5);
    Replicas replicas = new Replicas(spark, data.rows(), spec, plan, "test", 0, initialState());
    List<String> seen = new ArrayList<>();
    TrainListener listener = new TrainListener() {
      private boolean lost;

      @Override
      public void onStep(StepStats stats) {
        seen.add("step " + stats.step());
        if (stats.step() == 2) {
          replicas.fetch(2); // the driver's copy of step 2, as a checkpoint takes it
        }
        if (stats.step() == 4 && !lost) {
          lost = true;
          Worker.closeRun(spec.run()); // what a lost executor leaves: no worker, no replica
        }
      }

      @Override
      public void onRollback(long step) {
        seen.add("back to " + step);
      }
    };
    TrainJob.Training done = TrainJob.train(replicas, plan, 0, step -> false, List.of(listener));

    assertThat(done.step()).isEqualTo(5);
    assertThat(done.rollbacks()).isEqualTo(1);
    assertThat(seen).containsExactly("step 1", "step 2", "step 3", "step 4", "back to 2", "step 3", "step 4",
        "step 5");
    float[] params = Arrays.copyOf(replicas.fetch(5), layout().size());
    List<List<TrainRow>> batches = SingleProcessLoop.unionBatches(data, spec.batches(), 5);
    float[] expected = SingleProcessLoop.run(student, DistillLoss.DEFAULT, OPTIMIZER, plan.steps(), batches)
        .params();
    assertThat(maxAbsDiff(params, expected)).as("max |rebuilt run − one process|").isLessThan(1e-5);
  }

  @Test
  void aReplicaThatDivergesStopsTheRun() {
    TrainPlan plan = plan(2, 5);
    Replicas replicas = new Replicas(spark, data.rows(), spec, plan, "test", 0, initialState());
    TrainListener alter = stats -> {
      if (stats.step() == 2) {
        // partition 1's worker, in this JVM (local mode): one parameter off by one ulp
        float[] params = Worker.of(spec, 1, Collections.emptyIterator()).replica().params();
        params[0] = Math.nextUp(params[0]);
      }
    };
    assertThatThrownBy(() -> TrainJob.train(replicas, plan, 0, step -> false, List.of(alter)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("diverged after step 2").hasMessageContaining("checksums by partition");
  }

  private ParameterLayout layout() {
    try (QaModel model = Students.build(student)) {
      return new ParameterLayout(model);
    }
  }
}
