package io.qadistill.features;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.qadistill.common.UsageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one SQuAD example into its feature windows with DJL's Hugging Face tokenizer. Question and context
 * are encoded separately, without special tokens, truncation or padding (whatever tokenizer.json asks for),
 * and the windows are assembled by {@link WindowPlan}, which gives the same tokens as the tokenizer's own
 * pair encoding with overflow. Holds native memory: one instance per partition, closed after it.
 */
public final class WindowTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final int docStride;
  private final long cls;
  private final long sep;

  /** A tokenized question or context: token ids and code-point offsets of each token. */
  public record Tokens(long[] ids, int[] starts, int[] ends) {
    public int size() {
      return ids.length;
    }
  }

  /** One window, in the features table's layout (unpadded; offsets -1 outside the context). */
  public record Window(int index, int[] inputIds, int[] tokenTypeIds, int[] offsetStart, int[] offsetEnd,
      int startPosition, int endPosition) {}

  /** {@code source} names the tokenizer in error messages. */
  public WindowTokenizer(byte[] tokenizerJson, String source, int maxLength, int docStride) {
    this.maxLength = maxLength;
    this.docStride = docStride;
    try {
      this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (IOException | RuntimeException e) {
      throw new UsageException(source + " is not a readable tokenizer.json (" + e.getMessage()
          + "): give the tokenizer.json of a Hugging Face BERT model directory", e);
    }
    Encoding pair = tokenizer.encode("a", "b", true, false);
    long[] ids = pair.getIds();
    long[] types = pair.getTypeIds();
    if (ids.length != 5 || types[3] != 1 || ids[0] == ids[1] || ids[2] != ids[4]) {
      close();
      throw new UsageException(source + " does not use BERT's pair template [CLS] A [SEP] B [SEP]; "
          + "qadistill's windows and models are BERT's: use a BERT tokenizer.json");
    }
    this.cls = ids[0];
    this.sep = ids[2];
  }

  /** Encodes text without special tokens. */
  public Tokens tokenize(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    CharSpan[] spans = e.getCharTokenSpans();
    int[] starts = new int[spans.length];
    int[] ends = new int[spans.length];
    for (int i = 0; i < spans.length; i++) {
      starts[i] = spans[i].getStart();
      ends[i] = spans[i].getEnd();
    }
    return new Tokens(e.getIds(), starts, ends);
  }

  /** Why the example cannot be windowed, or null; see {@link WindowPlan#rejection}. */
  public String rejection(Tokens question, Tokens context) {
    return WindowPlan.rejection(maxLength, docStride, question.size(), context.size());
  }

  /** As {@link #rejection(Tokens, Tokens)}, tokenizing the context only when the verdict depends on it. */
  public String rejection(String question, String context) {
    int q = tokenize(question).size();
    int room = WindowPlan.contextRoom(maxLength, q);
    int contextTokens = room > 0 && docStride >= room ? tokenize(context).size() : 0;
    return WindowPlan.rejection(maxLength, docStride, q, contextTokens);
  }

  /**
   * The windows of an example whose {@link #rejection} is null. {@code answerStart} and {@code answerEnd}
   * are code-point offsets of the first gold answer, or -1 when there is none (v2.0 impossible).
   */
  public List<Window> windows(Tokens question, Tokens context, int answerStart, int answerEnd) {
    List<int[]> spans = WindowPlan.contextSpans(maxLength, docStride, question.size(), context.size());
    List<Window> out = new ArrayList<>(spans.size());
    int q = question.size();
    int offset = q + 2; // [CLS] question [SEP]
    for (int w = 0; w < spans.size(); w++) {
      int from = spans.get(w)[0];
      int to = spans.get(w)[1];
      int n = offset + (to - from) + 1;
      int[] ids = new int[n];
      int[] types = new int[n];
      int[] offsetStart = new int[n];
      int[] offsetEnd = new int[n];
      Arrays.fill(offsetStart, FeaturesTable.NO_OFFSET);
      Arrays.fill(offsetEnd, FeaturesTable.NO_OFFSET);
      ids[0] = (int) cls;
      for (int i = 0; i < q; i++) {
        ids[1 + i] = (int) question.ids()[i];
      }
      ids[q + 1] = (int) sep;
      for (int i = from; i < to; i++) {
        int k = offset + i - from;
        ids[k] = (int) context.ids()[i];
        types[k] = 1;
        offsetStart[k] = context.starts()[i];
        offsetEnd[k] = context.ends()[i];
      }
      ids[n - 1] = (int) sep;
      types[n - 1] = 1;
      int[] label = answerStart < 0 ? null
          : WindowPlan.label(context.starts(), context.ends(), from, to, answerStart, answerEnd);
      int start = label == null ? 0 : offset + label[0];
      int end = label == null ? 0 : offset + label[1];
      out.add(new Window(w, ids, types, offsetStart, offsetEnd, start, end));
    }
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
