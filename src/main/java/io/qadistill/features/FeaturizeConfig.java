package io.qadistill.features;

import io.qadistill.common.UsageException;

/**
 * What featurize reads and writes, and how windows are cut.
 *
 * @param examples the examples table (Parquet) written by {@code read}
 * @param out where the features table goes (replaced if present)
 * @param quarantine where examples that cannot be windowed go, with the reason
 * @param tokenizer a tokenizer.json (any Hadoop path), or null for the bundled all-MiniLM-L6-v2 one
 *     (bert-base-uncased vocabulary)
 * @param maxLength tokens per window, special tokens included (Hugging Face's {@code max_seq_length})
 * @param docStride context tokens shared by neighbouring windows (Hugging Face's {@code doc_stride})
 */
public record FeaturizeConfig(
    String examples, String out, String quarantine, String tokenizer, int maxLength, int docStride) {
  public static final int DEFAULT_MAX_LENGTH = 384;
  public static final int DEFAULT_DOC_STRIDE = 128;

  public FeaturizeConfig {
    if (maxLength < WindowPlan.FEWEST_SPECIAL_TOKENS + 2) {
      throw new UsageException("max_length " + maxLength + " is too small: a window needs [CLS], [SEP], [SEP], "
          + "one question token and one context token; use --max-length 384 (the default) or another value >= 5");
    }
    if (docStride < 0) {
      throw new UsageException("doc_stride " + docStride + " is negative; use --doc-stride 128 (the default) or >= 0");
    }
    // Even a one-token question leaves at most maxLength - 4 context tokens (BERT's template; the tokenizer's own
    // is checked when it is read), and the stride must be smaller.
    int room = WindowPlan.contextRoom(maxLength, WindowPlan.FEWEST_SPECIAL_TOKENS, 1);
    if (docStride >= room) {
      throw new UsageException(String.format("doc_stride %d can never fit max_length %d: a window holds at most "
          + "%d context tokens (fewer with longer questions) and the stride must be smaller; lower --doc-stride "
          + "(e.g. to %d) or raise --max-length", docStride, maxLength, room, Math.max(0, room / 3)));
    }
  }

  public static FeaturizeConfig defaults(String examples, String out, String quarantine) {
    return new FeaturizeConfig(examples, out, quarantine, null, DEFAULT_MAX_LENGTH, DEFAULT_DOC_STRIDE);
  }
}
