package io.qadistill.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the real SQuAD files (../shared/data/squad, set by the pom) and the bundled samples. */
public final class TestData {
  private TestData() {}

  public static Path squadDir() {
    Path dir = Path.of(System.getProperty("qadistill.shared.data", "../shared/data/squad"));
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("SQuAD data not found at " + dir.toAbsolutePath()
          + ": the tests read ../shared/data/squad beside the checkout (set -Dqadistill.shared.data to move it)");
    }
    return dir;
  }

  public static Path devV11() {
    return squadDir().resolve("dev-v1.1.json");
  }

  public static Path trainV11() {
    return squadDir().resolve("train-v1.1.reconstructed.json");
  }

  public static Path devV20() {
    return squadDir().resolve("dev-v2.0.reconstructed.json");
  }
}
