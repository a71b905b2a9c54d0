package io.qadistill.teacher;

import io.qadistill.model.QaScorer;
import java.io.Serializable;
import java.util.List;

/**
 * Whether a feature row can go through a teacher as it is: its two arrays equally long, 1 to
 * the teacher's window limit, every id inside the vocabulary and, for a teacher that reads token types, every
 * type id inside {@code type_vocab_size}.
 * A row that fails is quarantined with one of the reason codes below, never scored: PyTorch would read out of
 * its embedding table or the logits would mean nothing.
 */
public record FeatureCheck(int vocabSize, int typeVocabSize, int maxLength) implements Serializable {
  public static final String NULL_ARRAY = "null_array";
  public static final String LENGTH_MISMATCH = "length_mismatch";
  public static final String EMPTY = "empty";
  public static final String TOO_LONG = "too_long";
  public static final String ID_OUT_OF_VOCABULARY = "id_out_of_vocabulary";
  public static final String TYPE_ID_OUT_OF_RANGE = "type_id_out_of_range";

  /** Why a row was refused: a stable {@code reason} code and a {@code detail} naming the value. */
  public record Problem(String reason, String detail) {}

  /**
   * The checks a teacher's limits allow: a limit its runtime cannot tell (a TorchScript file's vocabulary) is not
   * checked, and type ids are not where the teacher reads none (one token type, or none).
   */
  public static FeatureCheck of(QaScorer.Limits limits) {
    return new FeatureCheck(limits.vocabSize(), limits.takesTokenTypes() ? limits.typeVocabSize() : Integer.MAX_VALUE,
        limits.maxLength());
  }

  /** The first problem of a row, or null when the teacher can take it. Null arrays (or null elements) count. */
  public Problem problem(int[] inputIds, int[] tokenTypeIds) {
    if (inputIds == null || tokenTypeIds == null) {
      return new Problem(NULL_ARRAY, "input_ids or token_type_ids is null or holds a null");
    }
    int n = inputIds.length;
    if (tokenTypeIds.length != n) {
      return new Problem(LENGTH_MISMATCH, "input_ids has " + n + " elements, token_type_ids "
          + tokenTypeIds.length);
    }
    if (n == 0) {
      return new Problem(EMPTY, "no tokens");
    }
    if (n > maxLength) {
      return new Problem(TOO_LONG, n + " tokens, the teacher takes at most " + maxLength);
    }
    for (int i = 0; i < n; i++) {
      if (inputIds[i] < 0 || inputIds[i] >= vocabSize) {
        return new Problem(ID_OUT_OF_VOCABULARY, "input_ids[" + i + "] = " + inputIds[i]
            + ", the teacher's vocab_size is " + vocabSize);
      }
      if (tokenTypeIds[i] < 0 || tokenTypeIds[i] >= typeVocabSize) {
        return new Problem(TYPE_ID_OUT_OF_RANGE, "token_type_ids[" + i + "] = " + tokenTypeIds[i]
            + ", the teacher's type_vocab_size is " + typeVocabSize);
      }
    }
    return null;
  }

  /** A Spark array column as an int[]; null when the array or one of its elements is null. */
  static int[] ints(List<Integer> values) {
    if (values == null) {
      return null;
    }
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      Integer v = values.get(i);
      if (v == null) {
        return null;
      }
      out[i] = v;
    }
    return out;
  }
}
