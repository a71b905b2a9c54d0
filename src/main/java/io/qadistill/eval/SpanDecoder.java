package io.qadistill.eval;

import io.qadistill.common.UsageException;
import io.qadistill.squad.ContextText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Hugging Face's {@code postprocess_qa_predictions} (transformers' examples, {@code utils_qa.py}) for one example:
 * from the start/end logits of all its windows to the answer text, the n-best list and, for SQuAD v2.0, the
 * null odds. Arithmetic on logits is in {@code float}, as numpy does it on the model's float32 outputs, so
 * scores and ties come out the same.
 *
 * <p>Per window: the {@code nBestSize} highest start and end positions over the whole window (question and
 * special tokens included; they are dropped afterwards, so they can crowd context tokens out, as in HF);
 * every pair with both tokens in the context (offsets not null), end ≥ start and at most
 * {@code maxAnswerLength} tokens is a candidate scored start + end logit, its text cut from the context by the
 * offsets (code points, as Python slices). Candidates of all windows are sorted by
 * score (a stable sort: on equal scores the earlier window, then the higher start, wins) and cut to
 * {@code nBestSize}. Positions with equal logits are ranked higher index first, which is what numpy's
 * {@code argsort(...)[::-1]} gives with a stable sort (numpy's default sort does not promise an order).
 */
public final class SpanDecoder {
  /**
   * {@code n_best_size}, {@code max_answer_length}, {@code version_2_with_negative},
   * {@code null_score_diff_threshold}, as in HF's {@code run_qa.py}; defaults 20, 30, false, 0.0.
   */
  public record Config(int nBestSize, int maxAnswerLength, boolean versionTwo, double nullScoreDiffThreshold)
      implements java.io.Serializable {
    public static final int N_BEST_SIZE = 20;
    public static final int MAX_ANSWER_LENGTH = 30;

    public Config {
      if (nBestSize < 1) {
        throw new UsageException("n-best size must be at least 1, got " + nBestSize);
      }
      if (maxAnswerLength < 1) {
        throw new UsageException("max answer length must be at least 1 token, got " + maxAnswerLength);
      }
      if (Double.isNaN(nullScoreDiffThreshold)) {
        throw new UsageException("null score difference threshold must be a number, got NaN");
      }
    }

    public static Config defaults(boolean versionTwo) {
      return new Config(N_BEST_SIZE, MAX_ANSWER_LENGTH, versionTwo, 0.0);
    }
  }

  /** One window (feature) of an example: its logits and the context offsets ({@code null} outside the context). */
  public record Window(float[] startLogits, float[] endLogits, int[][] offsets) {
    public Window {
      if (startLogits.length != endLogits.length) {
        throw new IllegalArgumentException(
            "start and end logits differ in length: " + startLogits.length + " vs " + endLogits.length);
      }
    }
  }

  /** An n-best entry: text, softmax probability over the n-best scores, and the two logits. */
  public record Candidate(String text, double probability, float startLogit, float endLogit) {}

  /** The answer ("" when v2.0 predicts no answer), the null odds (v2.0 only, else null) and the n-best list. */
  public record Decoded(String text, Double nullOdds, List<Candidate> nbest) {}

  private record Prelim(int start, int end, float score, float startLogit, float endLogit) {
    boolean isNullOffsets() {
      return start == 0 && end == 0;
    }
  }

  private SpanDecoder() {}

  /** Decodes one example from its windows, given in window order. */
  public static Decoded decode(String context, List<Window> windows, Config config) {
    Prelim minNull = null;
    List<Prelim> prelim = new ArrayList<>();
    for (Window w : windows) {
      float[] s = w.startLogits();
      float[] e = w.endLogits();
      int[][] offsets = w.offsets();
      float nullScore = s[0] + e[0];
      if (minNull == null || minNull.score() > nullScore) {
        minNull = new Prelim(0, 0, nullScore, s[0], e[0]);
      }
      int[] starts = topIndexes(s, config.nBestSize());
      int[] ends = topIndexes(e, config.nBestSize());
      for (int si : starts) {
        for (int ei : ends) {
          if (!inContext(offsets, si) || !inContext(offsets, ei)) {
            continue;
          }
          if (ei < si || ei - si + 1 > config.maxAnswerLength()) {
            continue;
          }
          prelim.add(new Prelim(offsets[si][0], offsets[ei][1], s[si] + e[ei], s[si], e[ei]));
        }
      }
    }
    if (config.versionTwo() && minNull != null) {
      prelim.add(minNull);
    }
    // List.sort is stable, as Python's sorted(reverse=True) is.
    prelim.sort(Comparator.comparingDouble(Prelim::score).reversed());
    List<Prelim> best = new ArrayList<>(prelim.subList(0, Math.min(config.nBestSize(), prelim.size())));
    if (config.versionTwo() && minNull != null && best.stream().noneMatch(Prelim::isNullOffsets)) {
      best.add(minNull);
    }

    ContextText text = new ContextText(context);
    List<String> texts = new ArrayList<>(best.stream().map(p -> slice(text, p.start(), p.end())).toList());
    List<Float> scores = new ArrayList<>(best.stream().map(Prelim::score).toList());
    List<float[]> logits = new ArrayList<>(best.stream().map(p -> new float[] {p.startLogit(), p.endLogit()}).toList());
    if (best.isEmpty() || (best.size() == 1 && texts.get(0).isEmpty())) {
      // HF's placeholder when nothing but the null answer is left.
      texts.add(0, "empty");
      scores.add(0, 0f);
      logits.add(0, new float[] {0f, 0f});
    }
    double max = scores.stream().mapToDouble(Float::doubleValue).max().orElseThrow();
    double[] exp = scores.stream().mapToDouble(x -> Math.exp(x - max)).toArray();
    double total = IntStream.range(0, exp.length).mapToDouble(i -> exp[i]).sum();
    List<Candidate> nbest = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      nbest.add(new Candidate(texts.get(i), exp[i] / total, logits.get(i)[0], logits.get(i)[1]));
    }

    if (!config.versionTwo()) {
      return new Decoded(texts.get(0), null, nbest);
    }
    // The best entry with a text. (HF would fail with IndexError if there is none; "empty" is its placeholder.)
    Candidate bestNonNull = nbest.stream().filter(c -> !c.text().isEmpty()).findFirst()
        .orElse(new Candidate("empty", 0, 0f, 0f));
    float diff = minNull.score() - bestNonNull.startLogit() - bestNonNull.endLogit();
    String answer = diff > config.nullScoreDiffThreshold() ? "" : bestNonNull.text();
    return new Decoded(answer, (double) diff, nbest);
  }

  private static boolean inContext(int[][] offsets, int i) {
    return i < offsets.length && offsets[i] != null && offsets[i].length >= 2;
  }

  /**
   * Python's {@code context[start:end]} for non-negative bounds. Offsets count code points, as Python's str and
   * the features table do; a Java index counts UTF-16 chars, which differs after a character outside the BMP.
   */
  static String slice(ContextText context, int start, int end) {
    int to = Math.min(end, context.codePointLength());
    return start >= to ? "" : context.text().substring(context.charIndex(start), context.charIndex(to));
  }

  /**
   * The {@code n} positions with the highest values, highest first; equal values higher index first
   * ({@code np.argsort(x, kind="stable")[-1:-n-1:-1]}).
   */
  static int[] topIndexes(float[] values, int n) {
    return IntStream.range(0, values.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> values[i]).thenComparingInt(i -> i).reversed())
        .limit(n)
        .mapToInt(Integer::intValue)
        .toArray();
  }
}
