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

/** metrics.jsonl: one {@link StepStats} JSON object per line, flushed every step so that it can be followed. */
public final class MetricsFile implements AutoCloseable {
  public static final String NAME = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter out;

  private MetricsFile(BufferedWriter out) {
    this.out = out;
  }

  /**
   * Opens {@code dir}/metrics.jsonl, keeping the lines of steps up to {@code keepThrough} (a resumed run's
   * checkpoint; 0: a new file) and dropping later ones, which the resumed run writes again.
   */
  public static MetricsFile open(Path dir, long keepThrough) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(NAME);
      List<StepStats> kept = new ArrayList<>();
      if (keepThrough > 0 && Files.exists(file)) {
        kept = read(file).stream().filter(s -> s.step() <= keepThrough).toList();
      }
      BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      MetricsFile metrics = new MetricsFile(writer);
      for (StepStats s : kept) {
        metrics.write(s);
      }
      return metrics;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
    }
  }

  public void write(StepStats stats) {
    try {
      out.write(JSON.writeValueAsString(stats));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + NAME, e);
    }
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
      throw new UncheckedIOException("cannot close " + NAME, e);
    }
  }
}
