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
 * and the windows are assembled by {@link WindowPlan} around the tokenizer's own pair template
 * ({@link PairTemplate}), which gives the same tokens as the tokenizer's own pair encoding with overflow. Holds
 * native memory; featurize keeps one per concurrent task for the executor's life ({@link TokenizerPool}).
 */
public final class WindowTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final int docStride;
  private final PairTemplate template;

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
          + "): give the tokenizer.json of a Hugging Face model directory", e);
    }
    try {
      this.template = PairTemplate.of(tokenizer, source);
      int room = WindowPlan.contextRoom(maxLength, template.specialTokens(), 1);
      if (docStride >= room) {
        throw new UsageException(String.format("doc_stride %d can never fit max_length %d with %s: a window holds "
            + "at most %d context tokens beside its %d special tokens; lower --doc-stride or raise --max-length",
            docStride, maxLength, source, room, template.specialTokens()));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
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
    return WindowPlan.rejection(maxLength, template.specialTokens(), docStride, question.size(), context.size());
  }

  /** As {@link #rejection(Tokens, Tokens)}, tokenizing the context only when the verdict depends on it. */
  public String rejection(String question, String context) {
    int q = tokenize(question).size();
    int room = WindowPlan.contextRoom(maxLength, template.specialTokens(), q);
    int contextTokens = room > 0 && docStride >= room ? tokenize(context).size() : 0;
    return WindowPlan.rejection(maxLength, template.specialTokens(), docStride, q, contextTokens);
  }

  /**
   * The windows of an example whose {@link #rejection} is null. {@code answerStart} and {@code answerEnd}
   * are code-point offsets of the first gold answer, or -1 when there is none (v2.0 impossible).
   */
  public List<Window> windows(Tokens question, Tokens context, int answerStart, int answerEnd) {
    PairTemplate t = template;
    List<int[]> spans = WindowPlan.contextSpans(maxLength, t.specialTokens(), docStride, question.size(),
        context.size());
    List<Window> out = new ArrayList<>(spans.size());
    int q = question.size();
    int offset = t.prefix().length + q + t.middle().length; // where the context starts: [CLS] question [SEP]
    for (int w = 0; w < spans.size(); w++) {
      int from = spans.get(w)[0];
      int to = spans.get(w)[1];
      int n = offset + (to - from) + t.suffix().length;
      int[] ids = new int[n];
      int[] types = new int[n];
      int[] offsetStart = new int[n];
      int[] offsetEnd = new int[n];
      Arrays.fill(offsetStart, FeaturesTable.NO_OFFSET);
      Arrays.fill(offsetEnd, FeaturesTable.NO_OFFSET);
      System.arraycopy(t.prefix(), 0, ids, 0, t.prefix().length);
      System.arraycopy(t.prefixTypes(), 0, types, 0, t.prefix().length);
      for (int i = 0; i < q; i++) {
        ids[t.prefix().length + i] = (int) question.ids()[i];
        types[t.prefix().length + i] = t.questionType();
      }
      System.arraycopy(t.middle(), 0, ids, t.prefix().length + q, t.middle().length);
      System.arraycopy(t.middleTypes(), 0, types, t.prefix().length + q, t.middle().length);
      for (int i = from; i < to; i++) {
        int k = offset + i - from;
        ids[k] = (int) context.ids()[i];
        types[k] = t.contextType();
        offsetStart[k] = context.starts()[i];
        offsetEnd[k] = context.ends()[i];
      }
      System.arraycopy(t.suffix(), 0, ids, n - t.suffix().length, t.suffix().length);
      System.arraycopy(t.suffixTypes(), 0, types, n - t.suffix().length, t.suffix().length);
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
