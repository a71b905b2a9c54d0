package io.qadistill.common;

/**
 * A problem the user can fix: a bad option value, an input that cannot be read, a model directory that does
 * not load. The message names the value or file and says what to change; the launcher prints it without a
 * stack trace and exits with status 2.
 */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
