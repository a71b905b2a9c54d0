package io.qadistill.squad;

import static io.qadistill.squad.ExamplesTable.ANSWERS;
import static io.qadistill.squad.ExamplesTable.ANSWER_START;
import static io.qadistill.squad.ExamplesTable.CONTEXT;
import static io.qadistill.squad.ExamplesTable.ID;
import static io.qadistill.squad.ExamplesTable.IS_IMPOSSIBLE;
import static io.qadistill.squad.ExamplesTable.QUESTION;
import static io.qadistill.squad.ExamplesTable.TEXT;
import static io.qadistill.squad.ExamplesTable.TITLE;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates one record in Hugging Face {@code datasets}' flat layout, as a line of JSON Lines or a table's row
 * (turned into JSON by Spark, {@link TableInput}): {@code id}, {@code title}, {@code context}, {@code question},
 * {@code answers} ({@code {"text": [...], "answer_start": [...]}}, two lists of one length) and optionally
 * {@code is_impossible}, each under the name the {@link ColumnMapping} gives. The question's own fields are checked
 * first (id, question, answers and each text and answer_start, is_impossible), then {@link ExampleChecks}' checks,
 * which SQuAD JSON shares. Without is_impossible (absent or null) a question is impossible when its answer list is
 * empty, as {@code datasets}' squad_v2 has it. Messages name the input's own columns.
 */
final class FlatRecordChecks {
  private final String id;
  private final String title;
  private final String context;
  private final String question;
  private final String answers;
  private final String impossible;

  FlatRecordChecks(ColumnMapping columns) {
    id = columns.source(ID);
    title = columns.source(TITLE);
    context = columns.source(CONTEXT);
    question = columns.source(QUESTION);
    answers = columns.source(ANSWERS);
    impossible = columns.source(IS_IMPOSSIBLE);
  }

  /** The input's key that holds the context, which the quarantine's raw column leaves out. */
  String contextKey() {
    return context;
  }

  /**
   * The record for {@code record} (without its context), whose context is {@code contextValue} (null when
   * absent); {@code raw} goes to the quarantine row.
   */
  SquadRecord check(JsonNode record, JsonNode contextValue, long position, String location, String raw) {
    try {
      return example(record, contextValue, position, location, raw);
    } catch (Reject r) {
      return SquadRecord.quarantined(position, location, JsonFields.idOf(record, id), r.reason, r.getMessage(), raw);
    }
  }

  private SquadRecord example(JsonNode record, JsonNode contextValue, long position, String location, String raw)
      throws Reject {
    if (!record.isObject()) {
      throw new Reject(Reason.WRONG_TYPE, "record is " + JsonFields.type(record) + ", expected an object");
    }
    String idValue = JsonFields.id(record, id);
    String questionValue = JsonFields.text(record, question, question);
    JsonNode answersValue = JsonFields.required(record, answers, answers);
    if (!answersValue.isObject()) {
      throw new Reject(Reason.WRONG_TYPE, answers + " is " + JsonFields.type(answersValue)
          + ", expected an object of " + TEXT + " and " + ANSWER_START + " lists");
    }
    JsonNode texts = list(answersValue, TEXT);
    JsonNode starts = list(answersValue, ANSWER_START);
    List<String> textValues = new ArrayList<>(texts.size());
    List<Integer> startValues = new ArrayList<>(texts.size());
    for (int a = 0; a < Math.max(texts.size(), starts.size()); a++) {
      String textName = answers + "." + TEXT + "[" + a + "]";
      String startName = answers + "." + ANSWER_START + "[" + a + "]";
      textValues.add(JsonFields.text(JsonFields.required(texts, a, textName), textName));
      startValues.add(JsonFields.int32(JsonFields.required(starts, a, startName), startName));
    }
    Boolean flag = JsonFields.flag(record, impossible);
    JsonNode titleValue = record.get(title);
    Reject titleProblem = null;
    if (titleValue != null && !titleValue.isNull() && !titleValue.isTextual()) {
      titleProblem = new Reject(Reason.WRONG_TYPE, title + " is " + JsonFields.type(titleValue)
          + ", expected a string");
    }
    ExampleChecks.Context contextText = ExampleChecks.Context.of(contextValue, context + " is missing", context);
    return ExampleChecks.check(position, location, idValue, titleValue == null ? null : titleValue.textValue(),
        titleProblem, contextText, questionValue, textValues, startValues,
        flag != null ? flag : textValues.isEmpty(), raw);
  }

  private JsonNode list(JsonNode answersValue, String field) throws Reject {
    String name = answers + "." + field;
    JsonNode value = JsonFields.required(answersValue, field, name);
    if (!value.isArray()) {
      throw new Reject(Reason.WRONG_TYPE, name + " is " + JsonFields.type(value) + ", expected an array");
    }
    return value;
  }
}
