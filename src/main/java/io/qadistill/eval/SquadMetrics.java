package io.qadistill.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The official SQuAD scripts' answer normalisation, exact match and token-overlap F1 ({@code evaluate-v1.1.py},
 * {@code evaluate-v2.0.py}) in plain Java, one question at a time: {@link SquadEvaluation} calls it per question
 * on the executors, and the benchmark's plain loop calls it too.
 *
 * <p>{@code normalize_answer(s)} is, in this order: {@code s.lower()}; drop every character of Python's
 * {@code string.punctuation} (ASCII only: "«", "—", "’" stay); replace {@code \b(a|an|the)\b} by a space;
 * {@code ' '.join(s.split())}. Python's {@code \b} separates a word character ({@code str.isalnum()}, i.e. Unicode
 * letters and numbers, or "_") from anything else, and {@code str.split()} splits on {@code str.isspace()}
 * characters, which include NBSP and the Unicode spaces but not the zero-width space.
 */
public final class SquadMetrics {
  /** Python's {@code string.punctuation}. */
  public static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  /** The characters for which Python's {@code str.isspace()} is true, as a Java regex class. */
  public static final String WHITESPACE_CLASS =
      "[\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

  /**
   * Python's {@code \b(a|an|the)\b} written with explicit look-arounds, because Java's {@code \b} counts a
   * combining mark after a letter as part of the word and Python's does not. "_" is left out of the word class:
   * it is punctuation, removed before this step.
   */
  public static final String ARTICLES_REGEX = "(?<![\\p{L}\\p{N}])(?:a|an|the)(?![\\p{L}\\p{N}])";

  private static final Pattern ARTICLES = Pattern.compile(ARTICLES_REGEX);

  private SquadMetrics() {}

  /** {@code normalize_answer(text).split()}. */
  public static List<String> tokens(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    StringBuilder kept = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (c >= 128 || PUNCTUATION.indexOf(c) < 0) {
        kept.append(c);
      }
    }
    String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
    List<String> tokens = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < noArticles.length(); i++) {
      if (isPythonSpace(noArticles.charAt(i))) {
        if (start >= 0) {
          tokens.add(noArticles.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      tokens.add(noArticles.substring(start));
    }
    return tokens;
  }

  /** {@code normalize_answer(text)}. */
  public static String normalize(String text) {
    return String.join(" ", tokens(text));
  }

  /** Python's {@code str.isspace()} (all such characters are in the BMP). */
  static boolean isPythonSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001C' && c <= '\u001F') || c == '\u0085'
        || c == '\u00A0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200A') || c == '\u2028' || c == '\u2029'
        || c == '\u202F' || c == '\u205F' || c == '\u3000';
  }

  /** The size of the multiset intersection ({@code sum((Counter(a) & Counter(b)).values())}). */
  public static int overlap(List<String> a, List<String> b) {
    Map<String, Integer> counts = new HashMap<>();
    for (String t : b) {
      counts.merge(t, 1, Integer::sum);
    }
    int same = 0;
    for (String t : a) {
      Integer left = counts.get(t);
      if (left != null && left > 0) {
        same++;
        counts.put(t, left - 1);
      }
    }
    return same;
  }

  /**
   * Token F1 of normalised token lists. v1.1 scores 0 whenever nothing overlaps (so "" against "" is 0);
   * v2.0 scores 1 when both are empty and 0 when only one is.
   */
  public static double f1(List<String> prediction, List<String> gold, SquadVersion version) {
    if (version == SquadVersion.V2_0 && (prediction.isEmpty() || gold.isEmpty())) {
      return prediction.equals(gold) ? 1 : 0;
    }
    int same = overlap(prediction, gold);
    if (same == 0) {
      return 0;
    }
    double precision = 1.0 * same / prediction.size();
    double recall = 1.0 * same / gold.size();
    return (2 * precision * recall) / (precision + recall);
  }

  /**
   * The gold answers a prediction is compared with, as token lists. v1.1: all of them. v2.0: those that do not
   * normalise to "", or [""] when none is left (an unanswerable question).
   */
  public static List<List<String>> goldTokens(List<String> answers, SquadVersion version) {
    List<List<String>> golds = new ArrayList<>(answers.size());
    for (String answer : answers) {
      List<String> t = tokens(answer);
      if (version == SquadVersion.V1_1 || !t.isEmpty()) {
        golds.add(t);
      }
    }
    if (version == SquadVersion.V2_0 && golds.isEmpty()) {
      golds.add(List.of());
    }
    return golds;
  }

  /** EM and F1 of one question, each 0 or 1 and in [0, 1], maxed over the gold answers (0 when there are none). */
  public record Score(double exact, double f1) {}

  /** Scores one prediction against a question's gold answer texts. */
  public static Score score(String prediction, List<String> answers, SquadVersion version) {
    List<String> pred = tokens(prediction);
    double exact = 0;
    double f1 = 0;
    for (List<String> gold : goldTokens(answers, version)) {
      exact = Math.max(exact, pred.equals(gold) ? 1 : 0);
      f1 = Math.max(f1, f1(pred, gold, version));
    }
    return new Score(exact, f1);
  }
}
