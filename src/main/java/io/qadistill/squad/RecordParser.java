package io.qadistill.squad;

import java.io.Closeable;
import java.util.Iterator;

/** A file's records, streamed: {@link SquadParser} for SQuAD JSON, {@link JsonLinesParser} for JSON Lines. */
interface RecordParser extends Iterator<SquadRecord>, Closeable {
  /** Closes the file; never throws for a file already closed. */
  @Override
  void close();
}
