package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The command's wiring short of starting Spark (a full run stops the session the tests share):
 * TeacherLogitsClusterTest runs it for real, in a driver JVM of its own.
 */
class TeacherLogitsCommandTest {
  @Test
  void isRegisteredAndDocumentsItsOptions() {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("teacher-logits", "--help")).isZero();
    } finally {
      System.setOut(out);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("--features=DIR", "--teacher=DIR", "--out=DIR",
        "--batch-tokens=N", "--rows-per-task=N", "id_out_of_vocabulary", "teacher=<fingerprint>/run=<n>",
        "--runtime=RUNTIME", "(default: auto)", "--int8");
  }

  @Test
  void anUnknownRuntimeIsABadUsageExitBeforeSparkStarts() {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("teacher-logits", "--features", "f", "--teacher", "t", "--out", "o", "--runtime",
          "tensorrt")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("--runtime tensorrt: give one of auto, onnx, pytorch");
  }

  @Test
  void aMissingTeacherIsABadUsageExit() {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("teacher-logits", "--features", "f", "--out", "o")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--teacher=DIR'");
  }
}
