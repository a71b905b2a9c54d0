package io.qadistill.bench;

import io.qadistill.model.SquadWindows;
import io.qadistill.testing.TestData;
import java.util.List;

/** The first windows of dev-v1.1 (384/128), as the model benchmarks score them: ids and type ids, unpadded. */
record DevWindows(List<int[]> ids, List<int[]> types, double meanLength) {
  static DevWindows first(int count) {
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.devV11(), count);
    return new DevWindows(windows.stream().map(SquadWindows.Window::inputIds).toList(),
        windows.stream().map(SquadWindows.Window::tokenTypeIds).toList(),
        windows.stream().mapToInt(SquadWindows.Window::length).average().orElse(0));
  }

  /** The line a benchmark prints first. */
  String describe(int threads, int chunk) {
    return String.format("%d dev windows, mean length %.1f tokens, %d threads, chunks of %d", ids.size(), meanLength,
        threads, chunk);
  }
}
