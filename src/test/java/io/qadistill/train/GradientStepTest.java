package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qadistill.model.QaModel;
import io.qadistill.model.SquadWindows;
import io.qadistill.model.StudentSpec;
import io.qadistill.model.Students;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch's gradient does not depend on when the garbage collector runs. It did: scalar operands (the query's
 * 1/√d, the temperature, the loss weights) were made from direct buffers that the GC could free while the
 * autograd graph still read them, so the same step gave other gradients from run to run, and now and then NaN
 * (see {@link io.qadistill.model.Scalars}). Here a thread collects every few milliseconds while the same batch's
 * gradient is computed again and again.
 */
class GradientStepTest {
  @Test
  void theSameBatchGivesTheSameGradientWhileTheCollectorRuns() throws Exception {
    TrainFixture fixture = TrainFixture.shared();
    StudentSpec spec = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    List<TrainRow> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SquadWindows.Window w = fixture.windows().get(i);
      float[] teacher = new float[w.length()];
      for (int t = 0; t < teacher.length; t++) {
        teacher[t] = (t % 7) * 0.5f; // any logits that are not uniform
      }
      batch.add(new TrainRow("ex" + i, 0, w.inputIds(), w.tokenTypeIds(), w.startPosition(), w.endPosition(),
          teacher, teacher));
    }
    Thread collector = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        System.gc();
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    collector.setDaemon(true);
    float[] first = null;
    List<Double> differences = new ArrayList<>();
    try (QaModel model = Students.build(spec)) {
      ParameterLayout layout = new ParameterLayout(model);
      model.requireGradients();
      collector.start();
      for (int run = 0; run < 8; run++) {
        float[] gradient = GradientStep.compute(model, null, layout, batch, DistillLoss.DEFAULT)
            .gradient();
        if (first == null) {
          first = gradient;
        } else {
          differences.add(DistributedStepTest.maxAbsDiff(first, gradient));
        }
      }
    } finally {
      collector.interrupt();
      collector.join();
    }
    assertThat(DistributedStepTest.maxAbsDiff(first, new float[first.length])).as("a gradient, not zeros")
        .isGreaterThan(1e-3);
    assertThat(differences).as("max |gradient − first run's| of the other runs").hasSize(7).containsOnly(0.0);
  }

  /** A batch cut into passes gives the gradient and loss of one pass over it (float summation apart). */
  @Test
  void aBatchInPassesGivesTheGradientOfOnePass() {
    TrainFixture fixture = TrainFixture.shared();
    StudentSpec spec = StudentSpec.fromSource(fixture.teacher(), 1, 5).withDropout(0);
    List<TrainRow> batch = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      SquadWindows.Window w = fixture.windows().get(i);
      float[] teacher = new float[w.length()];
      for (int t = 0; t < teacher.length; t++) {
        teacher[t] = (t % 5) * 0.7f;
      }
      batch.add(new TrainRow("ex" + i, 0, w.inputIds(), w.tokenTypeIds(), w.startPosition(), w.endPosition(),
          teacher, teacher));
    }
    int longest = batch.stream().mapToInt(TrainRow::length).max().orElseThrow();
    // two windows of the longest length per pass: three passes or more
    assertThat(GradientStep.passes(batch, 2 * longest)).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(pass -> assertThat(pass.size() * pass.stream().mapToInt(TrainRow::length).max().orElseThrow())
            .isLessThanOrEqualTo(2 * longest));
    assertThat(GradientStep.passes(batch, 1)).as("a window longer than the budget goes alone").hasSize(6);
    try (QaModel model = Students.build(spec)) {
      ParameterLayout layout = new ParameterLayout(model);
      model.requireGradients();
      GradientSum whole = GradientStep.compute(model, null, layout, batch, DistillLoss.DEFAULT, Integer.MAX_VALUE);
      GradientSum passes = GradientStep.compute(model, null, layout, batch, DistillLoss.DEFAULT, 2 * longest);
      assertThat(passes.loss()).isCloseTo(whole.loss(), within(1e-5 * Math.abs(whole.loss())));
      assertThat(passes.windows()).isEqualTo(6);
      double scale = DistributedStepTest.maxAbsDiff(whole.gradient(), new float[whole.gradient().length]);
      assertThat(scale).isGreaterThan(1e-3);
      assertThat(DistributedStepTest.maxAbsDiff(passes.gradient(), whole.gradient())).isLessThan(1e-5 * scale);
    }
  }
}
