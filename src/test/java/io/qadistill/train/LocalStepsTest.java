package io.qadistill.train;

import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static io.qadistill.train.DistributedStepTest.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code --local-steps K} computes. A round: every partition starts from the driver's parameters and AdamW
 * state (moments and update count), takes K AdamW steps on its own batches (each its own batch's mean gradient,
 * clipped, at the scheduled rate), and the driver sets parameters and both moments to the partitions' mean. So:
 * (1) with one partition it is exactly K plain steps (the state goes round unchanged), rounds included; (2) with
 * P partitions one round is the mean of P single-process runs, each over its partition's batches alone. Not the
 * same as plain steps over the global batch when P > 1: Adam is not linear in the gradient (of the state only the
 * first moment of a K = 1 round equals the plain step's).
 */
class LocalStepsTest {
  // ε = 1e-3 and clipping on, as DistributedStepTest (there the reason for ε is given)
  private static final OptimizerSettings OPTIMIZATION = new OptimizerSettings(1e-3, 0.01, 1e-3, 0.5, 1);

  @TempDir static Path dir;
  private final TrainFixture fixture = TrainFixture.shared();
  private final SparkSession spark = LocalSpark.get();
  private final StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);

  @Test
  void onePartitionWithLocalStepsEqualsPlainSteps() throws Exception {
    // 4 steps in rounds of 3: a round of 3, then one of 1 (rounds end at multiples of K); the second starts from
    // the state the driver got back from the first
    BatchSettings batching = new BatchSettings(3, 1, 4, 1, 7).withLocalSteps(3);
    TrainConfig config = config("one", batching);
    TrainJob.Result result = new TrainJob(config).run(spark);
    assertThat(result.steps()).isEqualTo(4);

    List<List<List<TrainRow>>> batches = batches(batching, 4);
    float[] expected = SingleProcessLoop.run(student, DistillLoss.DEFAULT, OPTIMIZATION, 4, batches.get(0))
        .params();
    float[] trained = params(config);
    assertThat(maxAbsDiff(trained, initial())).as("the steps moved the parameters").isGreaterThan(5e-4);
    assertThat(maxAbsDiff(trained, expected)).as("max |local steps − plain steps|").isLessThan(1e-5);
    List<StepStats> rounds = MetricsFile.read(Path.of(config.out(), MetricsFile.NAME));
    assertThat(rounds).extracting(StepStats::step).containsExactly(3L, 4L);
    assertThat(rounds).extracting(StepStats::windows).containsExactly(9L, 3L);
  }

  @Test
  void aRoundOverTwoPartitionsIsTheMeanOfTheirOwnRuns() {
    BatchSettings batching = new BatchSettings(3, 1, 2, 2, 7).withLocalSteps(2);
    TrainConfig config = config("two", batching);
    new TrainJob(config).run(spark);

    List<List<List<TrainRow>>> batches = batches(batching, 2);
    float[] first = SingleProcessLoop.run(student, DistillLoss.DEFAULT, OPTIMIZATION, 2, batches.get(0)).params();
    float[] second = SingleProcessLoop.run(student, DistillLoss.DEFAULT, OPTIMIZATION, 2, batches.get(1)).params();
    float[] mean = new float[first.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (first[i] + second[i]) / 2;
    }
    float[] trained = params(config);
    assertThat(maxAbsDiff(first, second)).as("the partitions' runs differ").isGreaterThan(5e-4);
    assertThat(maxAbsDiff(trained, mean)).as("max |Spark − mean of the partitions' runs|").isLessThan(1e-5);

    List<List<TrainRow>> union = SingleProcessLoop.unionBatches(prepare(2), batching, 2);
    float[] plain = SingleProcessLoop.run(student, DistillLoss.DEFAULT, OPTIMIZATION, 2, union).params();
    assertThat(maxAbsDiff(trained, plain)).as("not plain steps over the global batch").isGreaterThan(1e-4);
  }

  private TrainConfig config(String out, BatchSettings batching) {
    return TrainConfig.defaults(fixture.features(), fixture.logits(), dir.resolve(out).toString(), student)
        .withOptimizer(OPTIMIZATION)
        .withBatches(batching);
  }

  private List<List<List<TrainRow>>> batches(BatchSettings batching, long steps) {
    return SingleProcessLoop.partitionBatches(prepare(batching.partitions()), batching, steps);
  }

  private TrainData prepare(int partitions) {
    TrainData data = TrainData.prepare(spark, fixture.features(), fixture.logits(), null, partitions);
    data.release(); // partitionBatches collects the rows: the cache is not needed
    return data;
  }

  private float[] initial() {
    try (QaModel model = Students.build(student)) {
      return new ParameterLayout(model).read(model);
    }
  }

  private static float[] params(TrainConfig config) {
    try (QaModel model = ModelDirectory.load(Path.of(config.out()))) {
      return new ParameterLayout(model).read(model);
    }
  }
}
