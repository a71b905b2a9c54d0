package io.qadistill.common;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs "what: done/total (pct), rate/s, ETA" at a steady rhythm while a long piece of work runs. The count comes
 * from a supplier, typically a Spark accumulator (merged as tasks finish) or a loop counter on the driver.
 */
public final class ProgressLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final String what;
  private final String unit;
  private final long total;
  private final LongSupplier done;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;

  private ProgressLog(String what, String unit, long total, LongSupplier done, Duration every) {
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.done = done;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress-" + what);
      t.setDaemon(true);
      return t;
    });
    long ms = every.toMillis();
    timer.scheduleAtFixedRate(this::log, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * How often a job logs its progress: {@code -Dqadistill.progress.seconds=N} when given (a short interval for a
   * small run or a test that waits for the first line), else the job's own {@code usual} interval.
   */
  public static Duration interval(Duration usual) {
    String seconds = System.getProperty("qadistill.progress.seconds");
    return seconds == null ? usual : Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
  }

  /** Starts logging; {@code total} ≤ 0 means unknown (no percentage, no ETA). */
  public static ProgressLog start(String what, String unit, long total, LongSupplier done, Duration every) {
    return new ProgressLog(what, unit, total, done, every);
  }

  /** The line as it would be logged now; public so the format is tested, not guessed. */
  public String line() {
    return format(what, unit, done.getAsLong(), total, (System.nanoTime() - startNanos) / 1e9);
  }

  static String format(String what, String unit, long done, long total, double seconds) {
    double rate = seconds > 0 ? done / seconds : 0;
    StringBuilder sb = new StringBuilder(what).append(": ").append(done);
    if (total > 0) {
      sb.append('/').append(total).append(String.format(" (%.1f%%)", 100.0 * done / total));
    }
    sb.append(' ').append(unit).append(String.format(", %.1f %s/s", rate, unit));
    if (total > 0 && rate > 0 && done < total) {
      sb.append(", ETA ").append(human((total - done) / rate));
    }
    return sb.toString();
  }

  /** A duration as 42s, 5m03s or 2h07m. */
  public static String human(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  private void log() {
    LOG.info(line());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
