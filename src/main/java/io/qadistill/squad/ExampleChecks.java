package io.qadistill.squad;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The checks every question goes through once its fields are read with the right types, whatever the input's
 * layout (SQuAD JSON's paragraphs, or the flat rows of Parquet, JSON Lines and tables). In this order, after the
 * layout's own checks of the question's fields: the title's type, the context, an empty question, is_impossible
 * against the answers, empty answer texts, and last where each answer is in the context (an answer_start off by one
 * or two is moved onto its text, {@link ContextText#align}). One bad answer rejects the whole question: a
 * half-kept question would change its evaluation.
 */
final class ExampleChecks {
  private ExampleChecks() {}

  /**
   * A context as the checks need it: the text indexed by code points, or why there is none. Built once per
   * paragraph in SQuAD JSON, where many questions share it.
   */
  record Context(ContextText text, Reject problem) {
    /**
     * {@code node}: the context's JSON value; {@code missing}: the detail when there is none; {@code name}: what
     * messages call it.
     */
    static Context of(JsonNode node, String missing, String name) {
      if (node == null || node.isNull()) {
        return new Context(null, new Reject(Reason.MISSING_FIELD, missing));
      }
      if (!node.isTextual()) {
        return new Context(null,
            new Reject(Reason.WRONG_TYPE, name + " is " + JsonFields.type(node) + ", expected a string"));
      }
      if (node.textValue().isBlank()) {
        return new Context(null, new Reject(Reason.EMPTY_CONTEXT, name + " is empty"));
      }
      return new Context(new ContextText(node.textValue()), null);
    }
  }

  /**
   * The kept record, or a Reject with the first problem. {@code titleProblem} is non-null when the title is not a
   * string; {@code starts} may be corrected in place.
   */
  static SquadRecord check(long position, String location, String id, String title, Reject titleProblem,
      Context context, String question, List<String> texts, List<Integer> starts, boolean impossible, String raw)
      throws Reject {
    if (titleProblem != null) {
      throw titleProblem;
    }
    if (context.problem() != null) {
      throw context.problem();
    }
    if (question.isBlank()) {
      throw new Reject(Reason.EMPTY_QUESTION, "question is empty");
    }
    if (impossible && !texts.isEmpty()) {
      throw new Reject(Reason.IMPOSSIBLE_WITH_ANSWERS,
          "is_impossible is true but there are " + texts.size() + " answers");
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
      ContextText.Alignment aligned = context.text().align(text, starts.get(a));
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
    return SquadRecord.kept(position, location, id, title, context.text().text(), question, texts, starts,
        impossible, corrections, raw);
  }

  private static String abbreviate(String text) {
    if (text.length() <= 80) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(76)) ? 76 : 77; // never split a surrogate pair
    return text.substring(0, end) + "...";
  }
}
