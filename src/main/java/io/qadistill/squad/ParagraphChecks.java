package io.qadistill.squad;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Validates one SQuAD paragraph ({@code {"context": ..., "qas": [...]}}) and turns it into records: one per
 * question, kept or quarantined, or one for the whole paragraph when its qas cannot be read as a list. The first
 * problem found decides a question's reason: first the question's own fields (id, question, answers and each
 * answer's text and answer_start, is_impossible), then {@link ExampleChecks}' checks, which every layout shares.
 * A question without is_impossible is possible (v1.1 has no such field).
 */
final class ParagraphChecks {
  private ParagraphChecks() {}

  /** Where the next record goes and the position it gets; the parser owns the numbering. */
  interface Sink extends Consumer<SquadRecord> {
    long nextPosition();
  }

  /**
   * Checks {@code paragraph} found at {@code location} in an article whose title is {@code title}
   * ({@code titleProblem} non-null when the title is not a string) and sends its records to {@code sink}.
   */
  static void check(JsonNode paragraph, String location, String title, String titleProblem, Sink sink) {
    if (!paragraph.isObject()) {
      sink.accept(SquadRecord.quarantined(sink.nextPosition(), location, null, Reason.WRONG_TYPE,
          "paragraph is " + JsonFields.type(paragraph) + ", expected an object", paragraph.toString()));
      return;
    }
    JsonNode qas = paragraph.get("qas");
    if (qas == null || qas.isNull() || !qas.isArray()) {
      Reason reason = qas == null || qas.isNull() ? Reason.MISSING_FIELD : Reason.WRONG_TYPE;
      String detail = reason == Reason.MISSING_FIELD ? "paragraph has no qas"
          : "qas is " + JsonFields.type(qas) + ", expected an array";
      sink.accept(SquadRecord.quarantined(sink.nextPosition(), location, null, reason, detail, paragraph.toString()));
      return;
    }
    ExampleChecks.Context context =
        ExampleChecks.Context.of(paragraph.get("context"), "paragraph has no context", "context");
    Reject titleReject = titleProblem == null ? null : new Reject(Reason.WRONG_TYPE, titleProblem);
    for (int i = 0; i < qas.size(); i++) {
      JsonNode qa = qas.get(i);
      String where = location + ".qas[" + i + "]";
      long position = sink.nextPosition();
      try {
        sink.accept(question(qa, position, where, title, titleReject, context));
      } catch (Reject r) {
        sink.accept(SquadRecord.quarantined(position, where, JsonFields.idOf(qa, "id"), r.reason, r.getMessage(),
            qa.toString()));
      }
    }
  }

  private static SquadRecord question(JsonNode qa, long position, String where, String title, Reject titleProblem,
      ExampleChecks.Context context) throws Reject {
    if (!qa.isObject()) {
      throw new Reject(Reason.WRONG_TYPE, "question is " + JsonFields.type(qa) + ", expected an object");
    }
    String id = JsonFields.id(qa, "id");
    String question = JsonFields.text(qa, "question", "question");
    JsonNode answers = JsonFields.required(qa, "answers", "answers");
    if (!answers.isArray()) {
      throw new Reject(Reason.WRONG_TYPE, "answers is " + JsonFields.type(answers) + ", expected an array");
    }
    List<String> texts = new ArrayList<>(answers.size());
    List<Integer> starts = new ArrayList<>(answers.size());
    for (int a = 0; a < answers.size(); a++) {
      JsonNode answer = answers.get(a);
      String name = "answers[" + a + "]";
      if (!answer.isObject()) {
        throw new Reject(Reason.WRONG_TYPE, name + " is " + JsonFields.type(answer) + ", expected an object");
      }
      texts.add(JsonFields.text(answer, "text", name + ".text"));
      starts.add(JsonFields.int32(JsonFields.required(answer, "answer_start", name + ".answer_start"),
          name + ".answer_start"));
    }
    Boolean impossible = JsonFields.flag(qa, "is_impossible");
    return ExampleChecks.check(position, where, id, title, titleProblem, context, question, texts, starts,
        impossible != null && impossible, qa.toString());
  }
}
