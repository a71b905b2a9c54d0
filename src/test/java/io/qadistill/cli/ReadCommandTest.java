package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The command's wiring, up to the point where it would start Spark (a full run stops the active session, which
 * the tests share; ReadJobRealDataTest and ReadJobCorpusTest run the job itself).
 */
class ReadCommandTest {
  @Test
  void isRegisteredAndDocumentsItsOptions() {
    String help = capture(true, "read", "--help");
    assertThat(help).contains("--input=PATH", "--out=DIR", "--quarantine=DIR", "duplicate_id", "DIR-quarantine");
  }

  @Test
  void missingOutIsABadUsageExit() {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("read", "--input", "dev.json")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--out=DIR'");
  }

  private static String capture(boolean stdout, String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute(args)).isZero();
    } finally {
      System.setOut(out);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
