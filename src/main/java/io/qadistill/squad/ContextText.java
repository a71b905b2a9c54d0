package io.qadistill.squad;

/**
 * A context indexed as SQuAD indexes it: {@code answer_start} is a Python {@code str} index, i.e. a count of
 * Unicode code points, while a Java String index counts UTF-16 chars. The two differ after any character outside
 * the Basic Multilingual Plane (emoji, some CJK): train-v1.1 has five such contexts. The examples table keeps
 * answer_start in code points, as in the JSON and in Hugging Face datasets; code that slices the context in Java
 * converts with {@link #charIndex(int)}.
 */
public final class ContextText {
  /** How far a wrong answer_start may be from its text to be corrected rather than rejected. */
  public static final int MAX_SHIFT = 2;
  /** Shifts tried in order: the nearest first, and before the start before after it. */
  private static final int[] SHIFTS = {-1, 1, -2, 2};

  private final String text;
  private final int codePoints;
  /** The char index of each code point (and of the end); null when the text has no surrogates, so the two agree. */
  private final int[] charIndex;

  public ContextText(String text) {
    this.text = text;
    this.codePoints = text.codePointCount(0, text.length());
    if (codePoints == text.length()) {
      charIndex = null;
    } else {
      charIndex = new int[codePoints + 1];
      for (int cp = 0, ch = 0; cp <= codePoints; cp++) {
        charIndex[cp] = ch;
        if (ch < text.length()) {
          ch += Character.charCount(text.codePointAt(ch));
        }
      }
    }
  }

  public String text() {
    return text;
  }

  /** The length in code points (Python's {@code len}). */
  public int codePointLength() {
    return codePoints;
  }

  /** The Java char index of code point {@code cp}, 0 ≤ cp ≤ {@link #codePointLength()}. */
  public int charIndex(int cp) {
    return charIndex == null ? cp : charIndex[cp];
  }

  /** True when {@code answer} starts exactly at code point {@code start}. */
  public boolean hasAt(String answer, int start) {
    return start >= 0 && start <= codePoints && text.startsWith(answer, charIndex(start));
  }

  /**
   * Where {@code answer} really starts: {@code start} itself when it is right, else the nearest of start ∓1, ∓2
   * that fits ({@link Alignment#corrected()}), else a problem: the text is elsewhere or nowhere in the context.
   */
  public Alignment align(String answer, int start) {
    if (hasAt(answer, start)) {
      return new Alignment(start, false, null);
    }
    for (int shift : SHIFTS) {
      // long arithmetic: start may be near Integer.MAX_VALUE in a bad file
      long candidate = (long) start + shift;
      if (candidate >= 0 && candidate <= codePoints && hasAt(answer, (int) candidate)) {
        return new Alignment((int) candidate, true, null);
      }
    }
    return new Alignment(start, false,
        text.contains(answer) ? Reason.ANSWER_START_MISMATCH : Reason.ANSWER_NOT_IN_CONTEXT);
  }

  /** The outcome of {@link #align}: the start to store, whether it was corrected, or why it cannot be kept. */
  public record Alignment(int start, boolean corrected, Reason problem) {}
}
