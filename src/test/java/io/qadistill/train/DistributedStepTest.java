package io.qadistill.train;

import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The driver-coordinated step is one big batch: with dropout off and one seed, K steps of the Spark trainer over
 * P = 1, 2, 3 partitions (local[2]: 3 partitions share 2 cores), each applying the update to its own replica, give
 * the parameters, to 1e-5, and the per-step losses and gradient norms of a single-process loop over the same union
 * batches. The learning rate is large and clipping is on, so a wrong average (Adam alone would hide a constant
 * factor) or a missed partition shows. The replicas' checksums are compared every step (--log-every 1).
 */
class DistributedStepTest {
  private static final int STEPS = 4;
  private static final int BATCH = 3;

  @TempDir static Path dir;
  private static TrainFixture fixture;

  @BeforeAll
  static void inputs() {
    fixture = TrainFixture.shared();
  }

  @ParameterizedTest(name = "{0} partitions")
  @ValueSource(ints = {1, 2, 3})
  void sparkStepsEqualOneProcessOnTheUnionBatches(int partitions) throws Exception {
    SparkSession spark = LocalSpark.get();
    StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    // ε = 1e-3, not 1e-8: some parameters have a gradient of exactly 0 in exact arithmetic (qa_outputs.bias and
    // the last LayerNorm bias: softmax ignores a shift of all logits), so what they get is float rounding noise,
    // which differs with the order windows are summed in, and Adam with a tiny ε scales that noise to steps of
    // ±lr. With ε above the noise (~1e-6) those parameters stay put in both runs and the rest still train.
    OptimizerSettings optimization = new OptimizerSettings(1e-3, 0.01, 1e-3, 0.5, 1);
    TrainConfig config = TrainConfig.defaults(fixture.features(), fixture.logits(),
            dir.resolve("out-" + partitions).toString(), student)
        .withOptimizer(optimization)
        .withBatches(new BatchSettings(BATCH, 1, STEPS, partitions, 7).withLengthGroups(2))
        .withLogEvery(1);

    TrainJob.Result result = new TrainJob(config).run(spark);
    assertThat(result.steps()).isEqualTo(STEPS);
    assertThat(result.windows()).isEqualTo(40);

    TrainData data = TrainData.prepare(spark, fixture.features(), fixture.logits(), null, partitions);
    List<List<TrainRow>> batches;
    try {
      batches = SingleProcessLoop.unionBatches(data, config.batches(), STEPS);
    } finally {
      data.release();
    }
    assertThat(batches).allSatisfy(b -> assertThat(b).hasSize(BATCH * partitions));
    SingleProcessLoop.Result expected = SingleProcessLoop.run(student, DistillLoss.DEFAULT, optimization, STEPS,
        batches);

    float[] initial;
    float[] trained;
    try (QaModel start = Students.build(student); QaModel end = ModelDirectory.load(Path.of(config.out()))) {
      ParameterLayout layout = new ParameterLayout(end);
      initial = layout.read(start);
      trained = layout.read(end);
    }
    assertThat(maxAbsDiff(trained, initial)).as("the steps moved the parameters").isGreaterThan(5e-4);
    assertThat(maxAbsDiff(trained, expected.params())).as("max |Spark − one process|").isLessThan(1e-5);

    List<StepStats> steps = MetricsFile.read(Path.of(config.out(), MetricsFile.NAME));
    assertThat(steps).hasSize(STEPS);
    for (int s = 0; s < STEPS; s++) {
      StepStats got = steps.get(s);
      StepStats want = expected.steps().get(s);
      assertThat(got.step()).isEqualTo(s + 1);
      assertThat(got.windows()).isEqualTo(BATCH * partitions);
      assertThat(got.loss()).as("loss of step %d", s + 1).isCloseTo(want.loss(), within(1e-5 * want.loss()));
      assertThat(got.lossCe()).isCloseTo(want.lossCe(), within(1e-5 * want.lossCe()));
      assertThat(got.gradNorm()).as("grad norm of step %d", s + 1).isCloseTo(want.gradNorm(),
          within(1e-5 * want.gradNorm()));
      assertThat(got.learningRate()).isEqualTo(want.learningRate());
      // the parts of a step's time: the broadcast's creation lies within the exchange; the slowest task's own
      // overhead within the step (it may exceed the exchange when that task computed less than the slowest one)
      assertThat(got.inTaskSeconds()).as("in-task time of step %d", s + 1).isPositive()
          .isLessThan(got.exchangeSeconds() + got.computeSeconds() + got.updateSeconds());
      assertThat(got.broadcastSeconds()).isLessThan(got.exchangeSeconds());
      assertThat(got.updateSeconds()).as("the replicas' update of step %d", s + 1).isPositive();
      // what travels: the first step sends the state (its zero moments packed away), each later one the summed
      // gradient, less than the parameters (untouched embedding rows left out), or nothing with one partition
      long parameters = 4L * initial.length;
      if (s == 0) {
        // (zero biases pack away too)
        assertThat(got.bytesDown()).as("the initial state, packed").isBetween(parameters / 2, parameters + 4096);
      } else if (partitions == 1) {
        assertThat(got.bytesDown()).as("bytes down at step %d", s + 1).isZero();
        assertThat(got.bytesUp()).as("bytes up at step %d", s + 1).isZero();
      } else {
        assertThat(got.bytesDown()).as("the summed gradient at step %d", s + 1).isPositive()
            .isLessThan(parameters / 2);
        assertThat(got.bytesUp()).as("the partitions' gradients at step %d", s + 1).isGreaterThan(got.bytesDown());
      }
    }
    assertThat(steps.get(0).learningRate()).isZero(); // warm-up from 0, as transformers' schedule
    assertThat(steps.get(1).gradNorm()).as("clipping is active").isGreaterThan(0.5);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
