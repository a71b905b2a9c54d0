package io.qadistill.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An independent transcription of evaluate-v1.1.py and evaluate-v2.0.py for the tests: no regular expressions,
 * a hand-written scan for Python's {@code re.sub(r'\b(a|an|the)\b', ' ', s)} and its own character tables, so
 * that a mistake in the code under test does not cancel out.
 */
final class OfficialScripts {
  private static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  /** Every code point for which Python 3.11's str.isspace() is true. */
  private static final String PY_SPACES = "\t\n\u000B\f\r\u001C\u001D\u001E\u001F \u0085\u00A0\u1680"
      + "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

  private OfficialScripts() {}

  /** Python's \w for str patterns: str.isalnum() (letters; decimal, digit and numeric characters) or '_'. */
  static boolean isWordChar(int cp) {
    int type = Character.getType(cp);
    boolean letter = type == Character.UPPERCASE_LETTER || type == Character.LOWERCASE_LETTER
        || type == Character.TITLECASE_LETTER || type == Character.MODIFIER_LETTER || type == Character.OTHER_LETTER;
    boolean numeric = type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
    return letter || numeric || cp == '_';
  }

  private static boolean boundary(String s, int i) {
    boolean before = i > 0 && isWordChar(s.codePointBefore(i));
    boolean after = i < s.length() && isWordChar(s.codePointAt(i));
    return before != after;
  }

  static String normalizeAnswer(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder noPunc = new StringBuilder();
    lower.codePoints().filter(cp -> ASCII_PUNCTUATION.indexOf(cp) < 0).forEach(noPunc::appendCodePoint);
    String text = noPunc.toString();
    StringBuilder noArticles = new StringBuilder();
    int i = 0;
    scan:
    while (i < text.length()) {
      if (boundary(text, i)) {
        for (String alt : new String[] {"a", "an", "the"}) {
          int end = i + alt.length();
          if (text.startsWith(alt, i) && boundary(text, end)) {
            noArticles.append(' ');
            i = end;
            continue scan;
          }
        }
      }
      noArticles.append(text.charAt(i));
      i++;
    }
    return String.join(" ", pySplit(noArticles.toString()));
  }

  static List<String> pySplit(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (PY_SPACES.indexOf(c) >= 0) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static int numSame(List<String> a, List<String> b) {
    Map<String, Integer> ca = new HashMap<>();
    Map<String, Integer> cb = new HashMap<>();
    a.forEach(t -> ca.merge(t, 1, Integer::sum));
    b.forEach(t -> cb.merge(t, 1, Integer::sum));
    int same = 0;
    for (Map.Entry<String, Integer> e : ca.entrySet()) {
      same += Math.min(e.getValue(), cb.getOrDefault(e.getKey(), 0));
    }
    return same;
  }

  /** evaluate-v1.1.py f1_score. */
  static double f1V1(String prediction, String gold) {
    List<String> p = pySplit(normalizeAnswer(prediction));
    List<String> g = pySplit(normalizeAnswer(gold));
    int same = numSame(p, g);
    if (same == 0) {
      return 0;
    }
    double precision = 1.0 * same / p.size();
    double recall = 1.0 * same / g.size();
    return (2 * precision * recall) / (precision + recall);
  }

  /** evaluate-v2.0.py compute_f1. */
  static double f1V2(String gold, String prediction) {
    List<String> g = gold.isEmpty() ? List.of() : pySplit(normalizeAnswer(gold));
    List<String> p = prediction.isEmpty() ? List.of() : pySplit(normalizeAnswer(prediction));
    int same = numSame(g, p);
    if (g.isEmpty() || p.isEmpty()) {
      return g.equals(p) ? 1 : 0;
    }
    if (same == 0) {
      return 0;
    }
    double precision = 1.0 * same / p.size();
    double recall = 1.0 * same / g.size();
    return (2 * precision * recall) / (precision + recall);
  }

  static double exact(String prediction, String gold) {
    return normalizeAnswer(prediction).equals(normalizeAnswer(gold)) ? 1 : 0;
  }

  /** evaluate-v1.1.py evaluate(): {exact_match, f1}. */
  static Map<String, Double> evaluateV1(List<SquadJson.Qa> dataset, Map<String, String> predictions) {
    double em = 0;
    double f1 = 0;
    int total = 0;
    for (SquadJson.Qa qa : dataset) {
      total++;
      String p = predictions.get(qa.id());
      if (p == null) {
        continue;
      }
      em += qa.answers().stream().mapToDouble(g -> exact(p, g)).max().orElseThrow();
      f1 += qa.answers().stream().mapToDouble(g -> f1V1(p, g)).max().orElseThrow();
    }
    return Map.of("exact_match", 100.0 * em / total, "f1", 100.0 * f1 / total);
  }

  /** evaluate-v2.0.py main() with OPTS.na_prob_thresh = 1.0; naProbs null when no file is given. */
  static Map<String, Object> evaluateV2(
      List<SquadJson.Qa> dataset, Map<String, String> preds, LinkedHashMap<String, Double> naProbs) {
    Map<String, Boolean> hasAns = new LinkedHashMap<>();
    Map<String, Double> exactRaw = new LinkedHashMap<>();
    Map<String, Double> f1Raw = new LinkedHashMap<>();
    for (SquadJson.Qa qa : dataset) {
      hasAns.put(qa.id(), !qa.answers().isEmpty());
      List<String> golds = new ArrayList<>(qa.answers().stream().filter(a -> !normalizeAnswer(a).isEmpty()).toList());
      if (golds.isEmpty()) {
        golds.add("");
      }
      String p = preds.get(qa.id());
      if (p == null) {
        continue;
      }
      exactRaw.put(qa.id(), golds.stream().mapToDouble(g -> exact(p, g)).max().orElseThrow());
      f1Raw.put(qa.id(), golds.stream().mapToDouble(g -> f1V2(g, p)).max().orElseThrow());
    }
    Map<String, Double> na = naProbs != null ? naProbs : new HashMap<>();
    if (naProbs == null) {
      preds.keySet().forEach(k -> na.put(k, 0.0));
    }
    Map<String, Double> exactT = threshold(exactRaw, na, hasAns);
    Map<String, Double> f1T = threshold(f1Raw, na, hasAns);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("exact", 100.0 * exactT.values().stream().mapToDouble(d -> d).sum() / exactT.size());
    out.put("f1", 100.0 * f1T.values().stream().mapToDouble(d -> d).sum() / f1T.size());
    out.put("total", (long) exactT.size());
    for (boolean has : new boolean[] {true, false}) {
      List<String> ids = hasAns.keySet().stream().filter(k -> hasAns.get(k) == has && exactT.containsKey(k)).toList();
      String prefix = has ? "HasAns_" : "NoAns_";
      out.put(prefix + "exact", 100.0 * ids.stream().mapToDouble(exactT::get).sum() / ids.size());
      out.put(prefix + "f1", 100.0 * ids.stream().mapToDouble(f1T::get).sum() / ids.size());
      out.put(prefix + "total", (long) ids.size());
    }
    if (naProbs != null) {
      double[] e = findBestThresh(preds, exactRaw, naProbs, hasAns);
      double[] f = findBestThresh(preds, f1Raw, naProbs, hasAns);
      out.put("best_exact", e[0]);
      out.put("best_exact_thresh", e[1]);
      out.put("best_f1", f[0]);
      out.put("best_f1_thresh", f[1]);
    }
    return out;
  }

  private static Map<String, Double> threshold(
      Map<String, Double> scores, Map<String, Double> na, Map<String, Boolean> hasAns) {
    Map<String, Double> out = new LinkedHashMap<>();
    scores.forEach((qid, s) -> out.put(qid, na.get(qid) > 1.0 ? (hasAns.get(qid) ? 0.0 : 1.0) : s));
    return out;
  }

  /** find_best_thresh: qid_list = sorted(na_probs, key=na_probs.get), a stable sort over the file's key order. */
  static double[] findBestThresh(Map<String, String> preds, Map<String, Double> scores,
      LinkedHashMap<String, Double> naProbs, Map<String, Boolean> hasAns) {
    long numNoAns = hasAns.values().stream().filter(v -> !v).count();
    double cur = numNoAns;
    double best = cur;
    double bestThresh = 0.0;
    List<String> qids = new ArrayList<>(naProbs.keySet());
    qids.sort(Comparator.comparingDouble(naProbs::get));
    for (String qid : qids) {
      if (!scores.containsKey(qid)) {
        continue;
      }
      double diff = hasAns.get(qid) ? scores.get(qid) : preds.get(qid).isEmpty() ? 0 : -1;
      cur += diff;
      if (cur > best) {
        best = cur;
        bestThresh = naProbs.get(qid);
      }
    }
    return new double[] {100.0 * best / scores.size(), bestThresh};
  }
}
