package io.qadistill.squad;

import java.io.IOException;

/**
 * A compressed file whose data cannot be decompressed (cut short, damaged): a problem of the input, which the
 * parsers quarantine as {@link Reason#CORRUPT_FILE}, unlike a failure of the file system, which fails the task so
 * Spark retries it. Thrown by the stream {@link ParseFiles} opens.
 */
final class CorruptFileException extends IOException {
  CorruptFileException(IOException cause) {
    super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
  }
}
