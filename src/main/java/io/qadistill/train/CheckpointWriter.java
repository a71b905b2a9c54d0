package io.qadistill.train;

import io.qadistill.model.QaModel;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the run's checkpoints ({@link Checkpoints}): every N steps, at the step --stop-after stops at, and at the
 * end, each from the state the driver fetches from the replicas ({@link Replicas#fetch}).
 */
final class CheckpointWriter implements TrainListener {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

  private final String what;
  private final Path out;
  private final Replicas replicas;
  private final QaModel student;
  private final ParameterLayout layout;
  private final ParameterLayout.Writer weights;
  private final TrainPlan plan;
  private final CheckpointSettings settings;
  private final Checkpoints.RunKey key;
  private final int batchSize;
  private final long start;
  private long step;
  private Path latest;

  /**
   * Checkpoints of the run {@code key} (which logs call {@code what}) in {@code out}, from {@code replicas},
   * written through {@code student} (the driver's model, whose parameters each checkpoint sets), for a run that
   * starts after {@code start} where the newest checkpoint is {@code latest} (null: none).
   */
  CheckpointWriter(String what, Path out, Replicas replicas, QaModel student, TrainPlan plan,
                   CheckpointSettings settings, Checkpoints.RunKey key, long start, Path latest) {
    this.what = what;
    this.out = out;
    this.replicas = replicas;
    this.student = student;
    this.layout = new ParameterLayout(student);
    this.weights = layout.writer(student);
    this.plan = plan;
    this.settings = settings;
    this.key = key;
    this.batchSize = key.batchSize();
    this.start = start;
    this.step = start;
    this.latest = latest;
  }

  @Override
  public void onStep(StepStats stats) {
    long previous = step;
    step = stats.step();
    boolean due = plan.checkpointEvery() > 0 && TrainJob.crossed(previous, step, plan.checkpointEvery());
    if (due || stopsHere(step) || step == plan.steps()) {
      float[] state = replicas.fetch(step);
      weights.write(Arrays.copyOf(state, layout.size()));
      latest = Checkpoints.write(out, student, layout, state,
          new Checkpoints.State(step, step * batchSize, stats.epoch(), key), settings.keep());
      LOG.info("{}: checkpoint {}", what, latest);
    }
  }

  @Override
  public void onRollback(long step) {
    this.step = step;
  }

  /** Whether --stop-after ends this run at {@code step}. */
  boolean stopsHere(long step) {
    return settings.stopAfter() > 0 && step - start >= settings.stopAfter();
  }

  /** The newest checkpoint, or null. */
  Path latest() {
    return latest;
  }
}
