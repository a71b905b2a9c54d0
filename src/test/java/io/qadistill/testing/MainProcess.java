package io.qadistill.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line ({@code io.qadistill.cli.Main}) in a JVM of its own, as a user runs it, for tests that need a
 * real process: a command's exit status and output, or a job killed mid-write. Its stdout and stderr go to
 * {@code stdout.txt} and {@code stderr.txt} in the directory given.
 */
public final class MainProcess {
  private MainProcess() {}

  /** Starts {@code Main} with {@code args} (a {@code local[2]} master is the caller's to give). */
  public static Process start(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@conf/jvm.options", "-Xmx1g", "-Dlog4j2.configurationFile=conf/log4j2.xml", "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", "io.qadistill.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile());
    // The classpath through the environment: ONNX Runtime fails on java command lines over ~4 KB (jobs/qadistill).
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    return pb.start();
  }

  /** What the process wrote to stderr (for assertion messages). */
  public static String stderr(Path dir) {
    try {
      return Files.readString(dir.resolve("stderr.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
