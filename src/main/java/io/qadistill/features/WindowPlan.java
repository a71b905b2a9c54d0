package io.qadistill.features;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the overflow windows of one example fall, as Hugging Face's tokenizers cut them with
 * {@code truncation="only_second", return_overflowing_tokens=True}: the tokenizer's pair template around the
 * question and a part of the context ({@code [CLS] question [SEP] part [SEP]} for BERT, {@code <s> question </s></s>
 * part </s>} for RoBERTa), each part at most {@code maxLength - questionTokens - specialTokens} context tokens,
 * consecutive parts sharing
 * {@code docStride} tokens, the last part ending at the context's end.
 *
 * <p>Computed here rather than by the native tokenizer because the native code aborts the JVM (a Rust panic)
 * when the stride does not fit the room left by the question; planning in Java turns that into a
 * quarantine reason for the one example.
 */
public final class WindowPlan {
  /** The fewest special tokens of a pair template: BERT's {@code [CLS]}, {@code [SEP]}, {@code [SEP]}. */
  public static final int FEWEST_SPECIAL_TOKENS = 3;

  private WindowPlan() {}

  /** Context tokens that fit into one window beside a question of {@code questionTokens} and the special tokens. */
  public static int contextRoom(int maxLength, int specialTokens, int questionTokens) {
    return maxLength - questionTokens - specialTokens;
  }

  /**
   * Why an example cannot be windowed, or null when it can. A context that fits one window needs no stride;
   * a longer one needs room for more than {@code docStride} context tokens per window.
   */
  public static String rejection(int maxLength, int specialTokens, int docStride, int questionTokens,
                                 int contextTokens) {
    int room = contextRoom(maxLength, specialTokens, questionTokens);
    if (room <= 0) {
      return String.format("question has %d tokens: with max_length %d no room is left for the context",
          questionTokens, maxLength);
    }
    if (contextTokens > room && docStride >= room) {
      return String.format("question has %d tokens: a window then holds %d context tokens, not more than "
          + "doc_stride %d, so the windows cannot advance", questionTokens, room, docStride);
    }
    return null;
  }

  /**
   * The context token ranges {@code [start, end)} of the windows, in order. Requires
   * {@link #rejection} to be null.
   */
  public static List<int[]> contextSpans(int maxLength, int specialTokens, int docStride, int questionTokens,
                                         int contextTokens) {
    int room = contextRoom(maxLength, specialTokens, questionTokens);
    List<int[]> spans = new ArrayList<>();
    if (contextTokens <= room) {
      spans.add(new int[] {0, contextTokens});
      return spans;
    }
    int step = room - docStride;
    for (int start = 0; ; start += step) {
      int end = Math.min(start + room, contextTokens);
      spans.add(new int[] {start, end});
      if (end == contextTokens) {
        return spans;
      }
    }
  }

  /**
   * The window's answer label as {@code prepare_train_features} computes it, in context-token indices of the
   * window: {start, end}, or null when the answer is not wholly inside. {@code starts}/{@code ends} are the
   * character offsets (code points, as SQuAD's answer_start) of the context tokens in {@code [from, to)}.
   *
   * <p>Differs from Hugging Face's loop in one rare case, on purpose: tokens that share offsets (a Hangul
   * syllable split into jamo) or an answer starting in the window's last token make that loop return
   * end &lt; start or the final [SEP]; here the end is the first token from the start on that covers the answer,
   * so the span is always the shortest that contains it.
   */
  public static int[] label(int[] starts, int[] ends, int from, int to, int answerStart, int answerEnd) {
    if (to <= from || starts[from] > answerStart || ends[to - 1] < answerEnd) {
      return null;
    }
    int s = from;
    while (s + 1 < to && starts[s + 1] <= answerStart) {
      s++;
    }
    int e = s;
    while (ends[e] < answerEnd) {
      e++;
    }
    return new int[] {s - from, e - from};
  }
}
