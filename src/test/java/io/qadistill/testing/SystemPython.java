package io.qadistill.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The system's Python, for tests that check our output with an independent tool (Jupyter, numpy). Debian's
 * packages install for /usr/bin/python3, which {@code .ci/run} provides; a test needing a module that is missing is
 * skipped with a message saying what to install, except under {@code CI=true}, where it fails: nothing the README
 * promises may skip there.
 */
public final class SystemPython {
  public static final String EXE = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private SystemPython() {}

  /**
   * A process of this Python with /usr/bin first on the PATH: a notebook's kernel is started as "python3", which a
   * Python of a user's own (pyenv, conda) would otherwise answer.
   */
  public static ProcessBuilder command(String... args) {
    String[] line = new String[args.length + 1];
    line[0] = EXE;
    System.arraycopy(args, 0, line, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(line);
    pb.environment().put("PATH", "/usr/bin:" + pb.environment().getOrDefault("PATH", ""));
    return pb;
  }

  /**
   * Returns when every module imports; otherwise skips the calling test, or fails it under {@code CI=true}.
   * {@code debianPackages}: what to install, for the message.
   */
  public static void require(String debianPackages, String... modules) {
    if (imports(modules)) {
      return;
    }
    String message = EXE + " cannot import " + String.join(", ", modules) + ": apt-get install " + debianPackages
        + " (.ci/run does)";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true: " + message);
    }
    abort(message + "; the test runs where they are installed");
  }

  private static boolean imports(String... modules) {
    try {
      Process p = command("-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
