package io.qadistill.squad;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Validates one SQuAD paragraph ({@code {"context": ..., "qas": [...]}}) and turns it into records: one per
 * question, kept or quarantined, or one for the whole paragraph when its qas cannot be read as a list. The first
 * problem found decides a question's reason, in this order: the question's own fields (id, question, answers and
 * each answer's text and answer_start, is_impossible, the article's title), then the paragraph's context, an empty
 * question, is_impossible against the answers, empty answer texts, and last where each answer is in the context.
 * One bad answer quarantines the whole question: a half-kept question would change its evaluation.
 */
final class ParagraphChecks {
  private ParagraphChecks() {}

  /** A rejection with its reason; thrown inside the checks only, so it carries no stack trace. */
  private static final class Reject extends Exception {
    final Reason reason;

    Reject(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }

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
          "paragraph is " + type(paragraph) + ", expected an object", paragraph.toString()));
      return;
    }
    JsonNode qas = paragraph.get("qas");
    if (qas == null || qas.isNull() || !qas.isArray()) {
      Reason reason = qas == null || qas.isNull() ? Reason.MISSING_FIELD : Reason.WRONG_TYPE;
      String detail = reason == Reason.MISSING_FIELD ? "paragraph has no qas" : "qas is " + type(qas) + ", expected an array";
      sink.accept(SquadRecord.quarantined(sink.nextPosition(), location, null, reason, detail, paragraph.toString()));
      return;
    }
    JsonNode contextNode = paragraph.get("context");
    Reject contextProblem = null;
    ContextText context = null;
    if (contextNode == null || contextNode.isNull()) {
      contextProblem = new Reject(Reason.MISSING_FIELD, "paragraph has no context");
    } else if (!contextNode.isTextual()) {
      contextProblem = new Reject(Reason.WRONG_TYPE, "context is " + type(contextNode) + ", expected a string");
    } else if (contextNode.textValue().isBlank()) {
      contextProblem = new Reject(Reason.EMPTY_CONTEXT, "context is empty");
    } else {
      context = new ContextText(contextNode.textValue());
    }
    Reject titleReject = titleProblem == null ? null : new Reject(Reason.WRONG_TYPE, titleProblem);
    for (int i = 0; i < qas.size(); i++) {
      JsonNode qa = qas.get(i);
      String where = location + ".qas[" + i + "]";
      long position = sink.nextPosition();
      try {
        sink.accept(question(qa, position, where, title, titleReject, context, contextProblem));
      } catch (Reject r) {
        sink.accept(SquadRecord.quarantined(position, where, idOf(qa), r.reason, r.getMessage(), qa.toString()));
      }
    }
  }

  private static SquadRecord question(JsonNode qa, long position, String where, String title, Reject titleProblem,
      ContextText context, Reject contextProblem) throws Reject {
    if (!qa.isObject()) {
      throw new Reject(Reason.WRONG_TYPE, "question is " + type(qa) + ", expected an object");
    }
    String id = text(qa, "id");
    if (id.isEmpty()) {
      throw new Reject(Reason.MISSING_FIELD, "id is empty");
    }
    String question = text(qa, "question");
    JsonNode answers = required(qa, "answers");
    if (!answers.isArray()) {
      throw new Reject(Reason.WRONG_TYPE, "answers is " + type(answers) + ", expected an array");
    }
    List<String> texts = new ArrayList<>(answers.size());
    List<Integer> starts = new ArrayList<>(answers.size());
    for (int a = 0; a < answers.size(); a++) {
      JsonNode answer = answers.get(a);
      if (!answer.isObject()) {
        throw new Reject(Reason.WRONG_TYPE, "answers[" + a + "] is " + type(answer) + ", expected an object");
      }
      texts.add(text(answer, "text", "answers[" + a + "].text"));
      JsonNode start = required(answer, "answer_start", "answers[" + a + "].answer_start");
      if (!start.isIntegralNumber() || !start.canConvertToInt()) {
        throw new Reject(Reason.WRONG_TYPE,
            "answers[" + a + "].answer_start is " + type(start) + ", expected a 32-bit integer");
      }
      starts.add(start.intValue());
    }
    JsonNode impossibleNode = qa.get("is_impossible");
    boolean impossible = false; // v1.1 has no such field: every question has an answer
    if (impossibleNode != null && !impossibleNode.isNull()) {
      if (!impossibleNode.isBoolean()) {
        throw new Reject(Reason.WRONG_TYPE, "is_impossible is " + type(impossibleNode) + ", expected a boolean");
      }
      impossible = impossibleNode.booleanValue();
    }
    if (titleProblem != null) {
      throw titleProblem;
    }
    if (contextProblem != null) {
      throw contextProblem;
    }
    if (question.isBlank()) {
      throw new Reject(Reason.EMPTY_QUESTION, "question is empty");
    }
    if (impossible && !texts.isEmpty()) {
      throw new Reject(Reason.IMPOSSIBLE_WITH_ANSWERS, "is_impossible is true but there are " + texts.size() + " answers");
    }
    if (!impossible && texts.isEmpty()) {
      throw new Reject(Reason.MISSING_ANSWERS, "no answers and is_impossible is not true");
    }
    int corrections = 0;
    for (int a = 0; a < texts.size(); a++) {
      String text = texts.get(a);
      if (text.isEmpty()) {
        throw new Reject(Reason.EMPTY_ANSWER, "answers[" + a + "].text is empty");
      }
      ContextText.Alignment aligned = context.align(text, starts.get(a));
      if (aligned.problem() != null) {
        throw new Reject(aligned.problem(), "answers[" + a + "] \"" + abbreviate(text) + "\" "
            + (aligned.problem() == Reason.ANSWER_NOT_IN_CONTEXT ? "is not in the context"
                : "is not within " + ContextText.MAX_SHIFT + " characters of answer_start " + starts.get(a)));
      }
      if (aligned.corrected()) {
        starts.set(a, aligned.start());
        corrections++;
      }
    }
    return SquadRecord.kept(position, where, id, title, context.text(), question, texts, starts, impossible,
        corrections, qa.toString());
  }

  private static String text(JsonNode node, String field) throws Reject {
    return text(node, field, field);
  }

  private static String text(JsonNode node, String field, String name) throws Reject {
    JsonNode value = required(node, field, name);
    if (!value.isTextual()) {
      throw new Reject(Reason.WRONG_TYPE, name + " is " + type(value) + ", expected a string");
    }
    return value.textValue();
  }

  private static JsonNode required(JsonNode node, String field) throws Reject {
    return required(node, field, field);
  }

  /** The field's value; absent and JSON null both count as missing. */
  private static JsonNode required(JsonNode node, String field, String name) throws Reject {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new Reject(Reason.MISSING_FIELD, name + " is missing");
    }
    return value;
  }

  /** The id when the record has a string id, for the quarantine row; null otherwise. */
  private static String idOf(JsonNode qa) {
    JsonNode id = qa.get("id");
    return id != null && id.isTextual() ? id.textValue() : null;
  }

  static String type(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case NUMBER -> "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }

  private static String abbreviate(String text) {
    if (text.length() <= 80) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(76)) ? 76 : 77; // never split a surrogate pair
    return text.substring(0, end) + "...";
  }
}
