package io.qadistill.train;

import io.qadistill.common.ProgressLog;
import java.util.Locale;

/** The progress line a training run logs every N steps. */
final class ProgressLine {
  private ProgressLine() {}

  /**
   * "distill: step 120/1000 (12.0%), loss 2.3100 (ce 1.9000, squad 2.7200), lr 4.40e-05, 53.2 windows/s, ETA 5m12s",
   * where the rate and the ETA come from this run's {@code steps} steps taking {@code seconds}.
   */
  static String format(String what, StepStats s, long total, long steps, long windows, double seconds) {
    double rate = seconds > 0 ? windows / seconds : 0;
    String eta = steps > 0 && s.step() < total
        ? ", ETA " + ProgressLog.human((total - s.step()) * seconds / steps) : "";
    return String.format(Locale.ROOT, "%s: step %d/%d (%.1f%%), loss %.4f (ce %.4f, squad %.4f), lr %.2e, "
            + "%.1f windows/s%s", what, s.step(), total, 100.0 * s.step() / total, s.loss(), s.lossCe(),
        s.lossSquad(), s.learningRate(), rate, eta);
  }
}
