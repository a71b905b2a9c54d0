package io.qadistill.train;

import io.qadistill.common.ProgressLog;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The progress line a training run logs every N steps, and the run's totals it counts for the job's result. */
final class ProgressLine implements TrainListener {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLine.class);

  private final String what;
  private final TrainPlan plan;
  private final long start;
  private long step;
  private StepStats last;
  private long windows;
  private double seconds;
  private double computeSeconds;
  private double exchangeSeconds;

  /** Progress of a run named {@code what} (distill, finetune) that starts after step {@code start}. */
  ProgressLine(String what, TrainPlan plan, long start) {
    this.what = what;
    this.plan = plan;
    this.start = start;
    this.step = start;
  }

  @Override
  public void onStep(StepStats stats) {
    windows += stats.windows();
    seconds += stats.seconds();
    computeSeconds += stats.computeSeconds();
    exchangeSeconds += stats.exchangeSeconds();
    last = stats;
    if (TrainJob.crossed(step, stats.step(), plan.logEvery()) || stats.step() == plan.steps()) {
      LOG.info(format(what, stats, plan.steps(), stats.step() - start, windows, seconds));
    }
    step = stats.step();
  }

  @Override
  public void onRollback(long step) {
    this.step = step;
  }

  /** The last step's statistics, or null before the first. */
  StepStats last() {
    return last;
  }

  /** Windows of all this run's steps (redone ones included). */
  long windows() {
    return windows;
  }

  double seconds() {
    return seconds;
  }

  double computeSeconds() {
    return computeSeconds;
  }

  double exchangeSeconds() {
    return exchangeSeconds;
  }

  /**
   * "distill: step 120/1000 (12.0%), loss 2.3100 (ce 1.9000, squad 2.7200), lr 4.40e-05, 53.2 windows/s, ETA 5m12s",
   * where the rate and the ETA come from this run's {@code steps} steps taking {@code seconds}.
   */
  static String format(String what, StepStats s, long total, long steps, long windows, double seconds) {
    double rate = seconds > 0 ? windows / seconds : 0;
    String eta = steps > 0 && s.step() < total
        ? ", ETA " + ProgressLog.human((total - s.step()) * seconds / steps) : "";
    String hidden = s.lossHidden() > 0 ? String.format(Locale.ROOT, ", hidden %.4f", s.lossHidden()) : "";
    return String.format(Locale.ROOT, "%s: step %d/%d (%.1f%%), loss %.4f (ce %.4f, squad %.4f%s), lr %.2e, "
            + "%.1f windows/s%s", what, s.step(), total, 100.0 * s.step() / total, s.loss(), s.lossCe(),
        s.lossSquad(), hidden, s.learningRate(), rate, eta);
  }
}
