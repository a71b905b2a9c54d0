package io.qadistill.squad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.util.LineReader;

/**
 * Reads JSON Lines (one record per line, {@code \n} or {@code \r\n}, UTF-8) as a stream of {@link SquadRecord}s, a
 * line at a time, each checked by {@link FlatRecordChecks}: memory is bounded by the longest line. What it yields,
 * each with its line's index as {@link SquadRecord#position()} and {@code line N} (from 1, as editors count) as
 * location: a record per line that is not blank; a {@link Reason#MALFORMED_JSON} one for a line that is not one
 * JSON value or not valid UTF-8 (raw: the line); and, when a compressed file ends early or is damaged, the records
 * before the damage and one {@link Reason#CORRUPT_FILE} record. The quarantine's raw column holds a record without
 * its context, as for SQuAD JSON.
 */
final class JsonLinesParser implements RecordParser {
  private static final ObjectReader JSON =
      new ObjectMapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** How many records of the first file {@link #checkColumns} looks at. */
  static final int SAMPLE = 100;
  private static final List<String> REQUIRED =
      List.of(ExamplesTable.ID, ExamplesTable.CONTEXT, ExamplesTable.QUESTION, ExamplesTable.ANSWERS);

  private final InputStream in;
  private final LineReader lines;
  private final FlatRecordChecks checks;
  private final Text line = new Text();
  private long index = -1;
  private SquadRecord next;
  private boolean done;

  JsonLinesParser(InputStream in, ColumnMapping columns) {
    this.in = in;
    this.lines = new LineReader(in);
    this.checks = new FlatRecordChecks(columns);
  }

  @Override
  public boolean hasNext() {
    while (next == null && !done) {
      next = step();
    }
    return next != null;
  }

  @Override
  public SquadRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    SquadRecord record = next;
    next = null;
    return record;
  }

  @Override
  public void close() {
    done = true;
    try {
      lines.close(); // closes in
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next line's record; null for a blank line or at the end. */
  private SquadRecord step() {
    try {
      if (lines.readLine(line) == 0) {
        close();
        return null;
      }
    } catch (CorruptFileException e) {
      close();
      return SquadRecord.quarantined(++index, "after line " + index, null, Reason.CORRUPT_FILE,
          "the file cannot be decompressed after line " + index + ": " + e.getMessage(), null);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e); // the file system failed, not the data: let the task fail and retry
    }
    index++;
    String location = "line " + (index + 1);
    if (isBlank(line)) {
      return null;
    }
    JsonNode record;
    try {
      record = JSON.readTree(line.getBytes(), 0, line.getLength());
    } catch (JsonProcessingException e) {
      return SquadRecord.quarantined(index, location, null, Reason.MALFORMED_JSON,
          location + " is not one JSON value: " + e.getOriginalMessage(), line.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array does no I/O
    }
    if (!(record instanceof ObjectNode object)) {
      return checks.check(record, null, index, location, line.toString());
    }
    JsonNode context = object.remove(checks.contextKey());
    return checks.check(object, context, index, location, object.toString());
  }

  /**
   * Fails, naming the key, when none of the first {@value #SAMPLE} records of {@code file} has a key that every
   * record needs (id, context, question, answers, or their names in {@code columns}): a column mapping that does not
   * fit the file, caught before the job starts rather than by quarantining every line. Types vary per line in
   * JSON, so they are checked per record. Reads only the file's first lines, on the driver.
   */
  static void checkColumns(InputFile file, ColumnMapping columns, Configuration conf) {
    Path path = new Path(file.path());
    Set<String> keys = sampleKeys(ParseFiles.decompress(path, ParseFiles.open(path, conf), conf), SAMPLE);
    if (keys.isEmpty()) {
      return; // no record to judge by: the job quarantines what the file holds
    }
    for (String column : REQUIRED) {
      if (!keys.contains(columns.source(column))) {
        throw new UsageException("JSON Lines input " + file.path() + ": none of its first " + SAMPLE
            + " records has the key " + columns.describe(column) + " (they have " + keys
            + "): name the key that holds " + column + " with --columns " + column + "=KEY");
      }
    }
  }

  /**
   * The keys of the first {@code records} objects on the lines of {@code in} (skipping lines that are not JSON
   * objects), for a check of the column mapping before the job starts; stops early at a damaged file.
   */
  private static Set<String> sampleKeys(InputStream in, int records) {
    Set<String> keys = new TreeSet<>();
    try (LineReader lines = new LineReader(in)) {
      Text text = new Text();
      for (int seen = 0; seen < records && lines.readLine(text) > 0; ) {
        if (isBlank(text)) {
          continue;
        }
        try {
          JsonNode record = JSON.readTree(text.getBytes(), 0, text.getLength());
          if (record.isObject()) {
            record.fieldNames().forEachRemaining(keys::add);
            seen++;
          }
        } catch (JsonProcessingException e) {
          // a bad line is the job's to quarantine; the sample only looks for the columns
        }
      }
    } catch (IOException e) {
      // a damaged file: judge by the records before the damage; the job quarantines the rest
    }
    return keys;
  }

  private static boolean isBlank(Text text) {
    byte[] bytes = text.getBytes();
    for (int i = 0; i < text.getLength(); i++) {
      if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
