package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain-Java definitions against values worked out by hand from the official scripts. */
class SquadMetricsTest {
  @Test
  void normalisationLowersDropsAsciiPunctuationAndArticles() {
    assertThat(SquadMetrics.normalize("The Quick, brown fox!")).isEqualTo("quick brown fox");
    assertThat(SquadMetrics.normalize("l'an 2000")).isEqualTo("lan 2000");
    assertThat(SquadMetrics.normalize("A-the")).isEqualTo("athe");
    assertThat(SquadMetrics.normalize("  Théâtre   THE\tend ")).isEqualTo("théâtre end");
    assertThat(SquadMetrics.normalize("an apple, a pear")).isEqualTo("apple pear");
  }

  @Test
  void nonAsciiPunctuationStaysAndBoundsArticles() {
    // « and » are not in string.punctuation, and are not word characters: "the" between them is a word.
    assertThat(SquadMetrics.tokens("«The» end")).containsExactly("«", "»", "end");
    assertThat(SquadMetrics.normalize("it’s — the")).isEqualTo("it’s —");
  }

  @Test
  void wordBoundariesAreThoseOfPythonNotJava() {
    // A combining accent is not a word character for Python, so "a" before it is still an article.
    assertThat(SquadMetrics.tokens("a\u0301 b")).containsExactly("\u0301", "b");
    // Superscript two is numeric (str.isalnum()): "an²" is one word, not the article "an".
    assertThat(SquadMetrics.tokens("an²")).containsExactly("an²");
  }

  @Test
  void whiteSpaceIsPythonsStrSplit() {
    // NBSP and the ideographic space split; the zero-width space does not.
    assertThat(SquadMetrics.tokens("x\u00A0y\u3000z\u200Bw")).containsExactly("x", "y", "z\u200Bw");
    assertThat(SquadMetrics.tokens(" \u2028 ")).isEmpty();
  }

  @Test
  void trickyStringsTokeniseAsPythonDoes() {
    // normalize_answer(t).split() as Python 3.11.7 printed it for each string, and the test's own port agrees.
    Map<String, List<String>> python = new LinkedHashMap<>();
    python.put("The Quick, brown fox!", List.of("quick", "brown", "fox"));
    python.put("«The» end", List.of("«", "»", "end"));
    python.put("a\u0301 b", List.of("\u0301", "b"));
    python.put("an²", List.of("an²"));
    python.put("x\u00A0y\u3000z\u200Bw", List.of("x", "y", "z\u200Bw"));
    python.put(" \u2028 ", List.of());
    python.put("", List.of());
    python.put("A-the", List.of("athe"));
    python.put("İstanbul the ΣΟΦΟΣ", List.of("i\u0307stanbul", "σοφος"));
    python.put("l'an 2000", List.of("lan", "2000"));
    python.put("\uD835\uDC00 a \uD835\uDC00", List.of("\uD835\uDC00", "\uD835\uDC00"));
    python.put("ﬁ the Straße", List.of("ﬁ", "straße"));
    python.put("THE\u1680a\u180Ean", List.of("\u180E"));
    python.forEach((text, tokens) -> {
      assertThat(SquadMetrics.tokens(text)).as("tokens of %s", text).isEqualTo(tokens);
      assertThat(OfficialScripts.pySplit(OfficialScripts.normalizeAnswer(text))).as("port: %s", text)
          .isEqualTo(tokens);
    });
  }

  @Test
  void f1CountsTokenMultisets() {
    List<String> pred = SquadMetrics.tokens("the cat sat");
    List<String> gold = SquadMetrics.tokens("Cat sat on a mat");
    // 2 common tokens; precision 2/2, recall 2/4.
    assertThat(SquadMetrics.f1(pred, gold, SquadVersion.V1_1)).isCloseTo(2 * 1 * 0.5 / 1.5, within(1e-15));
    // b×3 against b×2: 2 in common; precision 2/3, recall 2/3.
    assertThat(SquadMetrics.f1(SquadMetrics.tokens("a b b b"), SquadMetrics.tokens("b b c"), SquadVersion.V1_1))
        .isCloseTo(2.0 / 3, within(1e-15));
  }

  @Test
  void emptyAnswersDifferBetweenVersions() {
    assertThat(SquadMetrics.score("", List.of(""), SquadVersion.V1_1)).isEqualTo(new SquadMetrics.Score(1, 0));
    assertThat(SquadMetrics.score("The", List.of("a"), SquadVersion.V2_0)).isEqualTo(new SquadMetrics.Score(1, 1));
    // v2.0 drops gold answers that normalise to "": only "Paris" is left.
    assertThat(SquadMetrics.score("", List.of("the", "Paris"), SquadVersion.V2_0))
        .isEqualTo(new SquadMetrics.Score(0, 0));
    assertThat(SquadMetrics.score("paris.", List.of("the", "Paris"), SquadVersion.V2_0))
        .isEqualTo(new SquadMetrics.Score(1, 1));
    // v1.1 keeps it: "" scores EM 1 against "the" but F1 0.
    assertThat(SquadMetrics.score("", List.of("the", "Paris"), SquadVersion.V1_1))
        .isEqualTo(new SquadMetrics.Score(1, 0));
  }

  @Test
  void bestThresholdKeepsTheFirstStrictMaximum() {
    // 2 unanswerable questions in the data set; 4 scored, in ascending odds order:
    // has (0.5) → 2.5; no, "x" → 1.5; has (1.0) → 2.5 (not higher); has (0.25) → 2.75.
    BestThreshold t = new BestThreshold(2);
    t.add(-1.0, true, true, 0.5);
    t.add(0.0, false, true, 0);
    t.add(0.5, true, true, 1.0);
    t.add(0.5, true, true, 0.25);
    assertThat(t.bestThreshold()).isEqualTo(0.5);
    assertThat(t.bestScore(4)).isEqualTo(100.0 * 2.75 / 4);
    BestThreshold none = new BestThreshold(3);
    none.add(1.0, false, true, 1.0);
    assertThat(none.bestThreshold()).isEqualTo(0.0);
    assertThat(none.bestScore(1)).isEqualTo(300.0);
  }
}
