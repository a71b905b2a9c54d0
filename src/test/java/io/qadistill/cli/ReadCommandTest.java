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
    assertThat(help).contains("--input=PATH", "--out=DIR", "--quarantine=DIR", "duplicate_id", "DIR-quarantine",
        "--format=FORMAT", "squad-json, parquet, jsonl", "--columns=COLUMN=SOURCE", "corrupt_file");
  }

  @Test
  void anUnknownFormatIsABadUsageExitListingTheKnownOnes() {
    assertThat(badUsage("read", "--input", "dev.csv", "--format", "csv", "--out", "x"))
        .contains("--format csv: give one of squad-json, parquet, jsonl, table");
  }

  @Test
  void missingOutIsABadUsageExit() {
    assertThat(badUsage("read", "--input", "dev.json")).contains("Missing required option: '--out=DIR'");
  }

  /** What the command line prints on stderr, having exited with 2. */
  private static String badUsage(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute(args)).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    return buffer.toString(StandardCharsets.UTF_8);
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
