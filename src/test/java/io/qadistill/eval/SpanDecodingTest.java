package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qadistill.features.FeaturesTable;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Decoding on real windows: dev-v1.1 examples cut by the featurize stage's {@link WindowTokenizer} (question first,
 * the context in overflowing windows; here max_length 64 and stride 16 so that contexts span several windows),
 * with logits built by hand to make each case of postprocess_qa_predictions happen, decoded on local[2].
 */
class SpanDecodingTest {
  static final int MAX_LENGTH = 64;
  static final int STRIDE = 16;
  private static final StructType LOGITS = io.qadistill.teacher.LogitsTable.SCHEMA;

  private static WindowTokenizer tokenizer;

  /** One window: token ids, type ids, offsets (code points; null outside the context). */
  record Win(String exampleId, int window, int[] ids, int[] types, int[][] offsets) {
    int firstContext() {
      for (int i = 0; i < offsets.length; i++) {
        if (offsets[i] != null) {
          return i;
        }
      }
      throw new IllegalStateException();
    }

    int lastContext() {
      for (int i = offsets.length - 1; i >= 0; i--) {
        if (offsets[i] != null) {
          return i;
        }
      }
      throw new IllegalStateException();
    }

    /** The token whose offsets hold context character {@code c}, or -1. */
    int tokenAt(int c) {
      for (int i = 0; i < offsets.length; i++) {
        if (offsets[i] != null && offsets[i][0] <= c && c < offsets[i][1]) {
          return i;
        }
      }
      return -1;
    }

    /** A row of the features table. */
    Row row() {
      int[] starts = new int[offsets.length];
      int[] ends = new int[offsets.length];
      for (int i = 0; i < offsets.length; i++) {
        starts[i] = offsets[i] == null ? -1 : offsets[i][0];
        ends[i] = offsets[i] == null ? -1 : offsets[i][1];
      }
      return FeaturesTable.row(exampleId, window, ids, types, starts, ends, 0, 0);
    }
  }

  /** The features stage's tokenizer on the bundled vocabulary; one for the test JVM (a few MB of native memory). */
  static synchronized WindowTokenizer tokenizer() {
    if (tokenizer == null) {
      try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
        tokenizer = new WindowTokenizer(in.readAllBytes(), MiniLmJar.TOKENIZER_RESOURCE, MAX_LENGTH, STRIDE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tokenizer;
  }

  static List<Win> windows(SquadJson.Qa qa) {
    WindowTokenizer tok = tokenizer();
    List<Win> out = new ArrayList<>();
    for (WindowTokenizer.Window w : tok.windows(tok.tokenize(qa.question()), tok.tokenize(qa.context()), -1, -1)) {
      int[][] offsets = new int[w.offsetStart().length][];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = w.offsetStart()[i] < 0 ? null : new int[] {w.offsetStart()[i], w.offsetEnd()[i]};
      }
      out.add(new Win(qa.id(), w.index(), w.inputIds(), w.tokenTypeIds(), offsets));
    }
    return out;
  }

  /** Logits of one window: {@code base} everywhere, then the given positions. */
  static float[] logits(Win w, float base, Map<Integer, Float> at) {
    float[] v = new float[w.ids().length];
    Arrays.fill(v, base);
    at.forEach((i, x) -> v[i] = x);
    return v;
  }

  private static Map<String, Row> decode(
      List<SquadJson.Qa> qas, List<Win> wins, List<float[][]> logits, SpanDecoder.Config config) {
    var spark = LocalSpark.get();
    List<Row> logitRows = new ArrayList<>();
    for (int i = 0; i < wins.size(); i++) {
      Win w = wins.get(i);
      logitRows.add(RowFactory.create(w.exampleId(), w.window(), logits.get(i)[0], logits.get(i)[1], "hand-built"));
    }
    Dataset<Row> features = spark.createDataFrame(wins.stream().map(Win::row).toList(), FeaturesTable.SCHEMA);
    Dataset<Row> logitTable = spark.createDataFrame(logitRows, LOGITS);
    return SpanDecoding.decode(SquadJson.examples(qas), features, logitTable, config).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r));
  }

  private static String text(SquadJson.Qa qa, Win w, int start, int end) {
    return qa.context().substring(w.offsets()[start][0], w.offsets()[end][1]);
  }

  private static List<SquadJson.Qa> dev() {
    return SquadJson.read(TestData.devV11());
  }

  @Test
  void windowsOverlapByTheStrideAndOffsetsPointIntoTheContext() {
    SquadJson.Qa qa = dev().get(0);
    List<Win> wins = windows(qa);
    assertThat(wins).hasSizeGreaterThan(2);
    Win w0 = wins.get(0);
    Win w1 = wins.get(1);
    // Neighbouring windows share STRIDE context tokens.
    assertThat(w1.offsets()[w1.firstContext()]).isEqualTo(w0.offsets()[w0.lastContext() - STRIDE + 1]);
    // The first context token is the context's first word, lower-cased by the uncased vocabulary's offsets.
    int[] first = w0.offsets()[w0.firstContext()];
    assertThat(qa.context().substring(first[0], first[1])).isEqualTo("Super");
  }

  @Test
  void answerStraddlingTwoWindowsIsTakenWholeFromTheWindowThatHoldsIt() {
    // The first dev question whose gold answer starts in window 0 but ends after it.
    SquadJson.Qa qa = null;
    List<Win> wins = null;
    for (SquadJson.Qa q : dev()) {
      List<Win> ws = windows(q);
      int a = q.starts().get(0);
      int b = a + q.answers().get(0).length() - 1;
      if (ws.size() > 1 && ws.get(0).tokenAt(a) >= 0 && ws.get(0).tokenAt(b) < 0 && ws.get(1).tokenAt(a) >= 0
          && ws.get(1).tokenAt(b) >= 0 && ws.get(1).tokenAt(b) - ws.get(1).tokenAt(a) > 0) {
        qa = q;
        wins = ws;
        break;
      }
    }
    assertThat(qa).isNotNull();
    int a = qa.starts().get(0);
    int b = a + qa.answers().get(0).length() - 1;
    Win w0 = wins.get(0);
    Win w1 = wins.get(1);
    List<float[][]> logits = new ArrayList<>();
    // Window 0: a strong start at the answer, the best end it can offer is its last context token (6 + 2 = 8).
    logits.add(new float[][] {logits(w0, 0, Map.of(w0.tokenAt(a), 6f)), logits(w0, 0, Map.of(w0.lastContext(), 2f))});
    // Window 1: the whole answer, 5 + 5 = 10.
    logits.add(new float[][] {logits(w1, 0, Map.of(w1.tokenAt(a), 5f)), logits(w1, 0, Map.of(w1.tokenAt(b), 5f))});
    for (int i = 2; i < wins.size(); i++) {
      logits.add(new float[][] {logits(wins.get(i), 0, Map.of()), logits(wins.get(i), 0, Map.of())});
    }
    Row p = decode(List.of(qa), wins, logits, SpanDecoder.Config.defaults(false)).get(qa.id());
    assertThat(p.getString(1)).isEqualTo(qa.answers().get(0));
    assertThat(p.isNullAt(2)).isTrue();
    List<Row> nbest = p.getList(3);
    assertThat(nbest).hasSize(20);
    assertThat(nbest.get(1).getString(0)).isEqualTo(text(qa, w0, w0.tokenAt(a), w0.lastContext()));
    // Softmax over the n-best scores: 10 against 8 against seventeen… the first is e^2 times the second.
    assertThat(nbest.get(0).getDouble(1) / nbest.get(1).getDouble(1)).isCloseTo(Math.exp(2), within(1e-9));
  }

  @Test
  void handBuiltCasesDecodeAsPostprocessQaPredictions() {
    List<SquadJson.Qa> qas = dev().subList(0, 4);
    List<Win> allWins = new ArrayList<>();
    List<float[][]> logits = new ArrayList<>();
    Map<String, String> expected = new java.util.HashMap<>();

    // Example 0, window 0: a span of 31 tokens scores 20 but is too long; the 30-token one (10 + 3) wins.
    SquadJson.Qa q0 = qas.get(0);
    List<Win> w0 = windows(q0);
    Win a = w0.get(0);
    int i = a.firstContext();
    assertThat(a.lastContext() - i).isGreaterThanOrEqualTo(31);
    logits.add(new float[][] {logits(a, 1, Map.of(i, 10f)), logits(a, 0, Map.of(i + 30, 10f, i + 29, 3f))});
    expected.put(q0.id(), text(q0, a, i, i + 29));
    for (Win w : w0.subList(1, w0.size())) {
      logits.add(new float[][] {logits(w, 0, Map.of()), logits(w, 0, Map.of())});
    }
    allWins.addAll(w0);

    // Example 1, window 0: the best start's best end lies before it (10 + 10, skipped); then 10 + 4 beats 3 + 10.
    SquadJson.Qa q1 = qas.get(1);
    List<Win> w1 = windows(q1);
    Win b = w1.get(0);
    int j = b.firstContext() + 10;
    logits.add(new float[][] {logits(b, 0, Map.of(j, 10f, j - 3, 3f)), logits(b, 0, Map.of(j - 2, 10f, j + 1, 4f))});
    expected.put(q1.id(), text(q1, b, j, j + 1));
    for (Win w : w1.subList(1, w1.size())) {
      logits.add(new float[][] {logits(w, 0, Map.of()), logits(w, 0, Map.of())});
    }
    allWins.addAll(w1);

    // Example 2: a tie. Window 0 has (c..d) = 4 + 6 and (x..y) = 6 + 4 with d < x, so the pairs across them are
    // either backwards or weaker; window 1 repeats a span of score 10 at its start. HF keeps the order in which
    // candidates were made: window 0 before window 1, and within a window the higher start logit first.
    SquadJson.Qa q2 = qas.get(2);
    List<Win> w2 = windows(q2);
    Win c = w2.get(0);
    int c0 = c.firstContext();
    logits.add(new float[][] {logits(c, -1, Map.of(c0, 4f, c0 + 5, 6f)), logits(c, -1, Map.of(c0 + 2, 6f, c0 + 7, 4f))});
    Win c1 = w2.get(1);
    logits.add(new float[][] {logits(c1, -1, Map.of(c1.firstContext(), 5f)),
        logits(c1, -1, Map.of(c1.firstContext(), 5f))});
    for (Win w : w2.subList(2, w2.size())) {
      logits.add(new float[][] {logits(w, -1, Map.of()), logits(w, -1, Map.of())});
    }
    expected.put(q2.id(), text(q2, c, c0 + 5, c0 + 7));
    allWins.addAll(w2);

    Map<String, Row> got = decode(qas.subList(0, 3), allWins, logits, SpanDecoder.Config.defaults(false));
    for (String id : expected.keySet()) {
      assertThat(got.get(id).getString(1)).as(id).isEqualTo(expected.get(id));
    }
    List<Row> ties = got.get(q2.id()).getList(3);
    assertThat(ties.subList(0, 3)).extracting(r -> r.getString(0)).containsExactly(
        text(q2, c, c0 + 5, c0 + 7), text(q2, c, c0, c0 + 2), text(q2, c1, c1.firstContext(), c1.firstContext()));
    assertThat(ties.get(0).getDouble(1)).isEqualTo(ties.get(2).getDouble(1));
  }

  /**
   * CLS has the best start and end logits of every window: v2.0 compares the smallest CLS score over the windows
   * with the best span and answers ""; v1.1 never takes CLS (it is not a context token) and answers the span.
   */
  @Test
  void clsBestIsTheNullAnswerInV20AndSkippedInV11() {
    SquadJson.Qa qa = dev().get(3);
    List<Win> wins = windows(qa);
    assertThat(wins.size()).isGreaterThan(1);
    List<float[][]> logits = new ArrayList<>();
    Win w0 = wins.get(0);
    int s = w0.firstContext() + 1;
    // CLS scores 5 + 5 in window 0 and 3 + 3 in the others: null score 6. Best span 2.5 + 2.5 = 5: odds 1.
    logits.add(new float[][] {logits(w0, 0, Map.of(0, 5f, s, 2.5f)), logits(w0, 0, Map.of(0, 5f, s + 1, 2.5f))});
    for (Win w : wins.subList(1, wins.size())) {
      logits.add(new float[][] {logits(w, 0, Map.of(0, 3f)), logits(w, 0, Map.of(0, 3f))});
    }
    String span = text(qa, w0, s, s + 1);
    Row v2 = decode(List.of(qa), wins, logits, SpanDecoder.Config.defaults(true)).get(qa.id());
    assertThat(v2.getString(1)).isEmpty();
    assertThat(v2.getDouble(2)).isEqualTo(1.0);
    List<Row> nbest = v2.getList(3);
    // The null entry (score 6) heads the n-best list, as "" .
    assertThat(nbest.get(0).getString(0)).isEmpty();
    assertThat(nbest.get(1).getString(0)).isEqualTo(span);
    // A threshold above the odds answers the span; v1.1 never answers "".
    Row lenient = decode(List.of(qa), wins, logits, new SpanDecoder.Config(20, 30, true, 1.5)).get(qa.id());
    assertThat(lenient.getString(1)).isEqualTo(span);
    Row v1 = decode(List.of(qa), wins, logits, SpanDecoder.Config.defaults(false)).get(qa.id());
    assertThat(v1.getString(1)).isEqualTo(span);
  }
}
