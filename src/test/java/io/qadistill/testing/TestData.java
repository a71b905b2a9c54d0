package io.qadistill.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * Where the tests and benchmarks find the real SQuAD files: {@code data/squad/*.json.gz} in the checkout. Each is
 * unpacked once into {@code target/squad/}, since several tests hand the file to code that reads plain JSON (a
 * Jackson parser, {@code Files.copy} into a directory tree); {@code read} itself takes the {@code .gz} as it is.
 * The project directory is {@code -Dqadistill.project.dir} (the pom and {@code jobs/bench} set it), else the
 * working directory; nothing here looks outside it.
 */
public final class TestData {
  private TestData() {}

  /** The checkout's root: where {@code pom.xml} is. */
  public static Path projectDir() {
    Path dir = Path.of(System.getProperty("qadistill.project.dir", "")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
      throw new IllegalStateException("no pom.xml in " + dir + ": run the tests from the project's root "
          + "(mvn does), or set -Dqadistill.project.dir to it");
    }
    return dir;
  }

  /** The bundled SQuAD files, compressed: {@code data/squad/}. */
  public static Path squadDir() {
    return projectDir().resolve("data/squad");
  }

  public static Path devV11() {
    return unpacked("dev-v1.1.json");
  }

  public static Path trainV11() {
    return unpacked("train-v1.1.reconstructed.json");
  }

  public static Path devV20() {
    return unpacked("dev-v2.0.reconstructed.json");
  }

  /** {@code target/squad/<name>}, unpacked from {@code data/squad/<name>.gz} unless already there. */
  private static synchronized Path unpacked(String name) {
    Path gz = squadDir().resolve(name + ".gz");
    if (!Files.isRegularFile(gz)) {
      throw new IllegalStateException("bundled SQuAD file " + gz + " is missing: it ships with the repository "
          + "(git checkout -- data/squad)");
    }
    Path out = projectDir().resolve("target/squad").resolve(name);
    try {
      if (!Files.isRegularFile(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(gz)) < 0) {
        Files.createDirectories(out.getParent());
        Path part = Files.createTempFile(out.getParent(), name, ".part");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + gz + " into " + out, e);
    }
    return out;
  }
}
