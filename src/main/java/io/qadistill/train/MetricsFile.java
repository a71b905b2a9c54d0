package io.qadistill.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.jsonl: one {@link StepStats} JSON object per line, flushed every step so that it can be followed; a
 * run that goes back to an earlier step drops the lines after it, which it writes again.
 */
public final class MetricsFile implements TrainListener, AutoCloseable {
  public static final String NAME = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private BufferedWriter out;

  private MetricsFile(Path file) {
    this.file = file;
  }

  /**
   * Opens {@code dir}/metrics.jsonl, keeping the lines of steps up to {@code keepThrough} (a resumed run's
   * checkpoint; 0: a new file) and dropping later ones, which the resumed run writes again.
   */
  public static MetricsFile open(Path dir, long keepThrough) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    MetricsFile metrics = new MetricsFile(dir.resolve(NAME));
    metrics.keep(keepThrough);
    return metrics;
  }

  /** Rewrites the file with the lines of steps up to {@code step} and leaves it open for more. */
  private void keep(long step) {
    try {
      if (out != null) {
        out.close();
      }
      List<StepStats> kept = new ArrayList<>();
      if (step > 0 && Files.exists(file)) {
        kept = read(file).stream().filter(s -> s.step() <= step).toList();
      }
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      for (StepStats s : kept) {
        onStep(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void onStep(StepStats stats) {
    try {
      out.write(JSON.writeValueAsString(stats));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void onRollback(long step) {
    keep(step);
  }

  /** Every step of a metrics.jsonl. */
  public static List<StepStats> read(Path file) throws IOException {
    List<StepStats> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readValue(line, StepStats.class));
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }
}
