package io.qadistill.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Times variants of one piece of work over the same rows, fairly on a machine whose load drifts: the rows are cut
 * into chunks (in order, like partitions) and every variant runs each chunk in turn, in an order that rotates from
 * chunk to chunk, so that a busy spell falls on all variants alike. A variant runs a chunk split among its callers,
 * each a new thread (as the Spark tasks of one executor); a running line after each chunk leaves the figures so far
 * if a run is cut short.
 */
final class ChunkRotation {
  /** Work on some rows (indices into the benchmark's windows). */
  interface Work {
    void run(List<Integer> rows) throws Exception;
  }

  /** {@code setup} runs on each caller's thread before its work (a runtime's per-thread setting). */
  record Variant(String name, int callers, Runnable setup, Work work) {
    Variant(String name, int callers, Work work) {
      this(name, callers, () -> { }, work);
    }
  }

  private ChunkRotation() {}

  /** Seconds per variant over {@code count} rows in chunks of {@code chunk}, after a warm-up of 16 rows each. */
  static Map<Variant, Double> time(List<Variant> variants, int count, int chunk) throws Exception {
    List<Integer> warmup = IntStream.range(0, Math.min(count, 16)).boxed().toList();
    for (Variant v : variants) {
      run(v, warmup);
    }
    Map<Variant, Double> seconds = new LinkedHashMap<>();
    variants.forEach(v -> seconds.put(v, 0.0));
    int round = 0;
    for (int from = 0; from < count; from += chunk, round++) {
      List<Integer> rows = IntStream.range(from, Math.min(count, from + chunk)).boxed().toList();
      for (int k = 0; k < variants.size(); k++) {
        Variant v = variants.get((k + round) % variants.size());
        seconds.merge(v, run(v, rows), Double::sum);
      }
      int done = rows.get(rows.size() - 1) + 1;
      StringBuilder line = new StringBuilder("  after " + done + " windows, windows/s:");
      variants.forEach(v -> line.append(String.format(" %.2f", done / seconds.get(v))));
      System.out.println(line);
    }
    return seconds;
  }

  private static double run(Variant v, List<Integer> rows) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < v.callers(); c++) {
      List<Integer> part = rows.subList(rows.size() * c / v.callers(), rows.size() * (c + 1) / v.callers());
      Thread t = new Thread(() -> {
        try {
          v.setup().run();
          v.work().run(part);
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
