package io.qadistill.squad;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads one SQuAD JSON document ({@code {"data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}}) as a
 * stream of {@link SquadRecord}s, lazily: Jackson's streaming parser walks {@code data[]} and
 * {@code paragraphs[]} token by token and only one paragraph at a time is read into a tree and checked
 * ({@link ParagraphChecks}). Memory is therefore bounded by the largest paragraph, not by the file, with one
 * exception: paragraphs that come before their article's {@code title} key wait for it, so a file that puts the
 * title last holds one article at a time. Jackson's default limits apply: a single string (a context) of at most
 * 20 million chars and nesting of at most 1,000 levels; beyond them the file counts as malformed.
 *
 * <p>What it yields, in file order, each with the next {@link SquadRecord#position()}: one record per question
 * (kept or quarantined); one quarantined record per structure that cannot be split into questions (a data entry
 * or paragraph that is not an object, a paragraphs or qas value that is not an array or is missing, a document
 * without a data array); and, when the file is not well-formed JSON or not valid UTF-8, the records parsed before
 * the error followed by one {@link Reason#MALFORMED_JSON} record with the parser's message and location (or, for a
 * compressed file that ends early or is damaged, one {@link Reason#CORRUPT_FILE} record). The
 * paragraph being read when the error hit yields nothing: it is part of that last record. Keys other than data,
 * title, paragraphs, context, qas, id, question, answers and is_impossible are skipped (v2.0's plausible_answers).
 */
public final class SquadParser implements RecordParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private enum State { START, ROOT, DATA, ARTICLE, PARAGRAPHS, DONE }

  private final InputStream in;
  private final ArrayDeque<SquadRecord> ready = new ArrayDeque<>();
  private final ParagraphChecks.Sink sink = new ParagraphChecks.Sink() {
    @Override
    public long nextPosition() {
      return position++;
    }

    @Override
    public void accept(SquadRecord record) {
      ready.add(record);
    }
  };
  private JsonParser parser;
  private State state = State.START;
  private long position;
  private boolean dataSeen;
  // the article being read
  private int article = -1;
  private int paragraph;
  private boolean titleSeen;
  private String title;
  private String titleProblem;
  private boolean paragraphsSeen;
  private final List<JsonNode> waiting = new ArrayList<>();

  /** Parses {@code in}, which this parser closes when the document ends, on an error or on {@link #close()}. */
  public SquadParser(InputStream in) {
    this.in = in;
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && state != State.DONE) {
      step();
    }
    return !ready.isEmpty();
  }

  @Override
  public SquadRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  @Override
  public void close() {
    state = State.DONE;
    try {
      if (parser != null) {
        parser.close();
      }
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Advances by one token or value; may add records to {@code ready}. */
  private void step() {
    try {
      switch (state) {
        case START -> start();
        case ROOT -> root();
        case DATA -> data();
        case ARTICLE -> article();
        case PARAGRAPHS -> paragraphs();
        case DONE -> { }
      }
    } catch (JsonProcessingException | CharConversionException e) {
      malformed(e);
    } catch (CorruptFileException e) {
      String at = parser == null ? "$" : where(parser.currentLocation());
      broken(at, Reason.CORRUPT_FILE, "the file cannot be decompressed after " + at + ": " + e.getMessage());
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e); // the file system failed, not the data: let the task fail and retry
    }
  }

  private void start() throws IOException {
    parser = JSON.getFactory().createParser(in);
    JsonToken token = parser.nextToken();
    if (token == null) {
      quarantine("$", Reason.MALFORMED_JSON, "the file is empty", null);
      close();
    } else if (token != JsonToken.START_OBJECT) {
      quarantine("$", Reason.WRONG_TYPE,
          "the document is " + describe(token) + ", expected an object with a data array",
          null);
      close();
    } else {
      state = State.ROOT;
    }
  }

  private void root() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_OBJECT) {
      if (!dataSeen) {
        quarantine("$", Reason.MISSING_FIELD, "the document has no data array", null);
      }
      if (parser.nextToken() != null) {
        quarantine(where(parser.currentTokenLocation()), Reason.MALFORMED_JSON,
            "content after the end of the JSON document", null);
      }
      close();
      return;
    }
    String name = parser.currentName();
    JsonToken value = parser.nextToken();
    if (name.equals("data")) {
      dataSeen = true;
      if (value == JsonToken.START_ARRAY) {
        state = State.DATA;
      } else {
        JsonNode node = JSON.readTree(parser);
        quarantine("data", Reason.WRONG_TYPE, "data is " + JsonFields.type(node) + ", expected an array",
            node.toString());
      }
    } else {
      parser.skipChildren();
    }
  }

  private void data() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_ARRAY) {
      state = State.ROOT;
    } else if (token == JsonToken.START_OBJECT) {
      article++;
      paragraph = 0;
      titleSeen = false;
      title = null;
      titleProblem = null;
      paragraphsSeen = false;
      state = State.ARTICLE;
    } else {
      article++;
      JsonNode node = JSON.readTree(parser);
      quarantine(articleLocation(), Reason.WRONG_TYPE,
          "article is " + JsonFields.type(node) + ", expected an object", node.toString());
    }
  }

  private void article() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_OBJECT) {
      titleSeen = true; // an article without a title has a null one
      flushWaiting();
      if (!paragraphsSeen) {
        quarantine(articleLocation(), Reason.MISSING_FIELD, "article has no paragraphs",
            JSON.createObjectNode().put("title", title).toString());
      }
      state = State.DATA;
      return;
    }
    String name = parser.currentName();
    JsonToken value = parser.nextToken();
    if (name.equals("title")) {
      JsonNode node = JSON.readTree(parser);
      if (node.isTextual()) {
        title = node.textValue();
      } else if (!node.isNull()) {
        titleProblem = "title is " + JsonFields.type(node) + ", expected a string";
      }
      titleSeen = true;
      flushWaiting();
    } else if (name.equals("paragraphs")) {
      paragraphsSeen = true;
      if (value == JsonToken.START_ARRAY) {
        state = State.PARAGRAPHS;
      } else {
        JsonNode node = JSON.readTree(parser);
        quarantine(articleLocation() + ".paragraphs", Reason.WRONG_TYPE,
            "paragraphs is " + JsonFields.type(node) + ", expected an array", node.toString());
      }
    } else {
      parser.skipChildren();
    }
  }

  private void paragraphs() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_ARRAY) {
      state = State.ARTICLE;
      return;
    }
    JsonNode node = JSON.readTree(parser);
    if (titleSeen) {
      ParagraphChecks.check(node, paragraphLocation(paragraph), title, titleProblem, sink);
    } else {
      waiting.add(node);
    }
    paragraph++;
  }

  /** Checks the paragraphs that came before their article's title, now that it is known. */
  private void flushWaiting() {
    for (int i = 0; i < waiting.size(); i++) {
      ParagraphChecks.check(waiting.get(i), paragraphLocation(i), title, titleProblem, sink);
    }
    waiting.clear();
  }

  private void malformed(IOException e) {
    JsonLocation at = e instanceof JsonProcessingException j ? j.getLocation() : null;
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    broken(at == null ? "$" : where(at), Reason.MALFORMED_JSON, message + (at == null ? "" : " (" + where(at) + ")"));
  }

  /** The file cannot be read on: the records read so far, then one for the rest. */
  private void broken(String location, Reason reason, String detail) {
    titleSeen = true;
    flushWaiting(); // they were read whole; only their title may be missing
    quarantine(location, reason, detail, null);
    close();
  }

  private void quarantine(String location, Reason reason, String detail, String raw) {
    ready.add(SquadRecord.quarantined(position++, location, null, reason, detail, raw));
  }

  private String articleLocation() {
    return "data[" + article + "]";
  }

  private String paragraphLocation(int index) {
    return articleLocation() + ".paragraphs[" + index + "]";
  }

  private static String where(JsonLocation at) {
    return "line " + at.getLineNr() + ", column " + at.getColumnNr() + ", byte " + at.getByteOffset();
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }
}
