package io.qadistill.squad;

import java.util.Locale;

/**
 * Why a record went to quarantine. The {@link #code()} strings are stored in the quarantine table's {@code reason}
 * column and are stable: users group and filter by them, so rename none and only ever add.
 */
public enum Reason {
  /**
   * Not well-formed JSON or not valid UTF-8: for SQuAD JSON one row for the rest of the file, for JSON Lines one
   * row for the line; the parser's message in detail.
   */
  MALFORMED_JSON,
  /**
   * A required field (id, question, context, answers, an answer's text or answer_start, data, qas) is absent or
   * null (a table's missing value, a list shorter than its partner).
   */
  MISSING_FIELD,
  /**
   * A field has the wrong type: answer_start as a string or beyond 32 bits, qas not an array, is_impossible not a
   * boolean, ...
   */
  WRONG_TYPE,
  /** The paragraph's context is empty or white space only. */
  EMPTY_CONTEXT,
  /** The question is empty or white space only. */
  EMPTY_QUESTION,
  /** An answer's text is empty. */
  EMPTY_ANSWER,
  /** An answer's text occurs nowhere in the context. */
  ANSWER_NOT_IN_CONTEXT,
  /** An answer's text is in the context, but not within two characters of its answer_start. */
  ANSWER_START_MISMATCH,
  /** Not marked impossible (v1.1 never is) yet without answers. */
  MISSING_ANSWERS,
  /** Marked is_impossible but with answers: contradictory. */
  IMPOSSIBLE_WITH_ANSWERS,
  /** Another valid record with the same id came earlier in file and position order. */
  DUPLICATE_ID,
  /**
   * A compressed file ends early or is damaged: one row for the rest of the file, after the records read before the
   * damage; the decompressor's message in detail.
   */
  CORRUPT_FILE;

  /** The stored string: the constant's name in lower case, e.g. {@code answer_not_in_context}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
