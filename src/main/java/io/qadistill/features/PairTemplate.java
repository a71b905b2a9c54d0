package io.qadistill.features;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.qadistill.common.UsageException;
import java.util.Arrays;

/**
 * The special tokens and type ids a tokenizer's post-processor puts around a question and a context: BERT's
 * {@code [CLS] q [SEP] c [SEP]} (types 0 for the question part, 1 for the context part), RoBERTa's
 * {@code <s> q </s></s> c </s>} (no token types: all 0). Read from the tokenizer itself, by encoding a probe pair
 * with its special tokens and finding the probe's own tokens in it, so that any post-processor tokenizer.json can
 * hold (BertProcessing, RobertaProcessing, TemplateProcessing, a Sequence of them) gives its own template.
 *
 * @param prefix special tokens before the question, e.g. [CLS]; prefixTypes their type ids
 * @param middle special tokens between question and context, e.g. [SEP] (RoBERTa: two)
 * @param suffix special tokens after the context
 */
record PairTemplate(int[] prefix, int[] prefixTypes, int questionType, int[] middle, int[] middleTypes,
                    int contextType, int[] suffix, int[] suffixTypes) {
  /** Two probe texts of one ordinary token each in any vocabulary that splits words. */
  private static final String QUESTION = "a";
  private static final String CONTEXT = "b";

  static PairTemplate of(HuggingFaceTokenizer tokenizer, String source) {
    int q = tokenizer.encode(QUESTION, false, false).getIds().length;
    int c = tokenizer.encode(CONTEXT, false, false).getIds().length;
    Encoding pair = tokenizer.encode(QUESTION, CONTEXT, true, false);
    long[] ids = pair.getIds();
    long[] types = pair.getTypeIds();
    long[] special = pair.getSpecialTokenMask();
    // the probe's own tokens: the first q non-special ones are the question's, the next c the context's
    int[] at = new int[q + c];
    int found = 0;
    for (int i = 0; i < ids.length && found < at.length; i++) {
      if (special[i] == 0) {
        at[found++] = i;
      }
    }
    int ordinary = (int) Arrays.stream(special).filter(s -> s == 0).count();
    if (q == 0 || c == 0 || found != at.length || ordinary != q + c || !contiguous(at, 0, q)
        || !contiguous(at, q, q + c) || at[0] == 0) {
      throw new UsageException(source + ": its post-processor does not put special tokens around a question and a "
          + "context as a question-answering pair (" + Arrays.toString(ids) + " for \"" + QUESTION + "\", \""
          + CONTEXT + "\"): give the tokenizer.json of a BERT, DistilBERT or RoBERTa model directory");
    }
    int qStart = at[0];
    int cStart = at[q];
    int cEnd = at[q + c - 1] + 1;
    return new PairTemplate(ints(ids, 0, qStart), ints(types, 0, qStart), (int) types[qStart],
        ints(ids, qStart + q, cStart), ints(types, qStart + q, cStart), (int) types[cStart],
        ints(ids, cEnd, ids.length), ints(types, cEnd, ids.length));
  }

  /** Special tokens in a window. */
  int specialTokens() {
    return prefix.length + middle.length + suffix.length;
  }

  private static boolean contiguous(int[] at, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      if (at[i] != at[i - 1] + 1) {
        return false;
      }
    }
    return true;
  }

  private static int[] ints(long[] values, int from, int to) {
    return Arrays.stream(values, from, to).mapToInt(Math::toIntExact).toArray();
  }
}
