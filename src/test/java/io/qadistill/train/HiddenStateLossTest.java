package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DistilBERT's cosine loss on the last hidden state: its value against the formula in plain Java, and a Spark run
 * with it (the teacher computing its hidden states on the executors) equal to one process doing the same.
 */
class HiddenStateLossTest {
  private static final int[] LENGTHS = {3, 2};
  private static final int WIDTH = 3;
  private static final int HIDDEN = 4;
  private static final int STEPS = 3;

  @TempDir Path dir;

  @Test
  void cosineLossIsTheMeanOverEachWindowsTokensOfOneMinusTheCosine() {
    Random random = new Random(3);
    float[] student = new float[LENGTHS.length * WIDTH * HIDDEN];
    float[] teacher = new float[student.length];
    for (int i = 0; i < student.length; i++) {
      student[i] = (float) random.nextGaussian();
      teacher[i] = (float) random.nextGaussian() + 0.5f * student[i];
    }
    double expected = 0;
    for (int w = 0; w < LENGTHS.length; w++) {
      double window = 0;
      for (int t = 0; t < LENGTHS[w]; t++) {
        int at = (w * WIDTH + t) * HIDDEN;
        double dot = 0;
        double ss = 0;
        double tt = 0;
        for (int h = 0; h < HIDDEN; h++) {
          dot += student[at + h] * (double) teacher[at + h];
          ss += student[at + h] * (double) student[at + h];
          tt += teacher[at + h] * (double) teacher[at + h];
        }
        window += 1 - dot / Math.sqrt(ss * tt);
      }
      expected += window / LENGTHS[w];
    }
    float[] mask = {1, 1, 1, 1, 1, 0};
    DistillLoss loss = DistillLoss.DEFAULT.withAlphaHidden(1);
    try (NDManager m = NDManager.newBaseManager()) {
      Shape states = new Shape(LENGTHS.length, WIDTH, HIDDEN);
      float got = loss.hiddenSums(m.create(student, states), m.create(teacher, states),
          m.create(mask, new Shape(LENGTHS.length, WIDTH))).getFloat();
      assertThat((double) got).isCloseTo(expected, within(1e-5));
      assertThat(expected).as("not trivially 0 or 1 per window").isBetween(0.3, 1.7);

      float[] padding = student.clone();
      for (int h = 0; h < HIDDEN; h++) {
        padding[((WIDTH + 2) * HIDDEN) + h] = 100 + h; // the second window's padding token
      }
      assertThat(loss.hiddenSums(m.create(padding, states), m.create(teacher, states),
          m.create(mask, new Shape(LENGTHS.length, WIDTH))).getFloat()).as("padding does not count").isEqualTo(got);
      assertThat(loss.hiddenSums(m.create(teacher, states), m.create(teacher, states),
          m.create(mask, new Shape(LENGTHS.length, WIDTH))).getFloat()).as("the teacher's own").isCloseTo(0f,
          within(1e-6f));
    }
  }

  @Test
  void sparkStepsWithTheHiddenTermEqualOneProcess() throws Exception {
    SparkSession spark = LocalSpark.get();
    TrainFixture fixture = TrainFixture.shared();
    Path teacher = Path.of(fixture.teacher());
    String fingerprint = ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), teacher.toString());
    // the teacher's logits filed under its fingerprint, since it is named by its directory here
    String logits = dir.resolve("logits").toString();
    TrainFixture.writeLogits(spark, teacher, fixture.windows(), logits + "/teacher=" + fingerprint + "/run=1");
    StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    OptimizerSettings optimization = new OptimizerSettings(1e-3, 0.01, 1e-3, 0.5, 1);
    int partitions = 2;
    DistillLoss loss = DistillLoss.DEFAULT.withAlphaHidden(2);
    TrainConfig config = new TrainConfig(fixture.features(), logits, teacher.toString(),
        dir.resolve("out").toString(), student, loss, optimization, new BatchSettings(3, 1, STEPS, partitions, 7),
        CheckpointSettings.DEFAULT, 1, 0);
    new TrainJob(config).run(spark);

    TrainData data = TrainData.prepare(spark, fixture.features(), logits, fingerprint, partitions);
    List<List<TrainRow>> batches;
    try {
      batches = SingleProcessLoop.unionBatches(data, config.batches(), STEPS);
    } finally {
      data.release();
    }
    SingleProcessLoop.Result expected = SingleProcessLoop.run(student, loss, optimization, STEPS, batches, teacher);
    SingleProcessLoop.Result withoutHidden = SingleProcessLoop.run(student, DistillLoss.DEFAULT, optimization, STEPS,
        batches);
    float[] trained;
    try (QaModel end = ModelDirectory.load(Path.of(config.out()))) {
      trained = new ParameterLayout(end).read(end);
    }
    assertThat(DistributedStepTest.maxAbsDiff(trained, expected.params())).as("max |Spark − one process|")
        .isLessThan(1e-5);
    assertThat(DistributedStepTest.maxAbsDiff(expected.params(), withoutHidden.params()))
        .as("the hidden term changes the steps").isGreaterThan(1e-4);
    List<StepStats> steps = MetricsFile.read(Path.of(config.out(), MetricsFile.NAME));
    for (int s = 0; s < STEPS; s++) {
      double want = expected.steps().get(s).lossHidden();
      assertThat(want).as("a 1-layer student's last hidden state is not its 2-layer teacher's").isPositive();
      assertThat(steps.get(s).lossHidden()).as("loss_hidden of step %d", s + 1).isCloseTo(want, within(1e-5 * want));
      double total = expected.steps().get(s).loss();
      assertThat(steps.get(s).loss()).isCloseTo(total, within(1e-5 * total));
    }
  }

  @Test
  void theHiddenTermNeedsTheTeachersDirectoryAndItsLogits() {
    TrainFixture fixture = TrainFixture.shared();
    StudentSpec student = StudentSpec.fromSource(fixture.teacher(), 1, 5);
    DistillLoss loss = DistillLoss.DEFAULT.withAlphaHidden(1);
    assertThatThrownBy(() -> new TrainConfig(fixture.features(), fixture.logits(), "0123456789abcdef", "out", student,
        loss, OptimizerSettings.DEFAULT, BatchSettings.DEFAULT, CheckpointSettings.DEFAULT, 1, 0))
        .isInstanceOf(UsageException.class).hasMessageContaining("--teacher its model directory")
        .hasMessageContaining("0123456789abcdef");
    assertThatThrownBy(() -> new DistillLoss(2, 0, 1, 1)).isInstanceOf(UsageException.class)
        .hasMessageContaining("alpha_ce > 0");
    assertThatThrownBy(() -> new DistillLoss(2, 0.5, 0.5, -1)).isInstanceOf(UsageException.class)
        .hasMessageContaining("alpha_hidden -1.0");
  }
}
