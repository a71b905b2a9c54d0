package io.qadistill.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What every stage outside this package sees of a model: windows in (input ids and token type ids, one int array per
 * window, unpadded; a window's length is its array's), start and end logits out, and the model's limits. Whatever
 * the family or the runtime behind it: a model directory of any supported architecture ({@link QaModel}) or a
 * TorchScript teacher ({@link TorchScriptQaModel}).
 *
 * <p>Thread-safe: several threads (Spark tasks of one executor) may score on one instance at once. Rows are sorted
 * by length, cut into batches of at most {@code batchTokens} padded positions (and {@code maxBatchRows} rows), each
 * batch padded to its own longest row, and the logits come back in the rows' order, trimmed to each row's length.
 * Padding is masked, so a row's logits do not depend on the batch it landed in (beyond float rounding, ≤ 1e-4).
 */
public interface QaScorer extends AutoCloseable {
  /** Logits of one window, as long as the window. */
  record Logits(float[] start, float[] end) {}

  /**
   * What a model takes: windows of 1 to {@code maxLength} tokens, ids below {@code vocabSize}, type ids below
   * {@code typeVocabSize} where {@link #takesTokenTypes()} (a model with one token type or none ignores them).
   * A limit the runtime cannot tell is {@code Integer.MAX_VALUE}.
   */
  record Limits(int maxLength, int vocabSize, int typeVocabSize) {
    public boolean takesTokenTypes() {
      return typeVocabSize > 1;
    }
  }

  /**
   * {@code batchTokens}: padded positions per batch (rows × batch length); {@code maxBatchRows}: rows per batch;
   * {@code padTo}: every batch padded to this length rather than to its longest row (0: its longest; a fixed
   * shape, for comparisons).
   */
  record Options(int batchTokens, int maxBatchRows, int padTo) {
    public static final Options DEFAULT = new Options(4096, 64);

    public Options {
      if (batchTokens < 1) {
        throw new IllegalArgumentException("batchTokens " + batchTokens + " must be ≥ 1");
      }
      if (maxBatchRows < 1) {
        throw new IllegalArgumentException("maxBatchRows " + maxBatchRows + " must be ≥ 1");
      }
      if (padTo < 0) {
        throw new IllegalArgumentException("padTo " + padTo + " must be ≥ 0");
      }
    }

    public Options(int batchTokens, int maxBatchRows) {
      this(batchTokens, maxBatchRows, 0);
    }

    /** Row indices grouped into batches: longest first, each batch within these limits. */
    public List<int[]> batches(List<int[]> rows) {
      Integer[] order = IntStream.range(0, rows.size()).boxed().toArray(Integer[]::new);
      Arrays.sort(order, Comparator.comparingInt((Integer i) -> rows.get(i).length).reversed());
      List<int[]> out = new ArrayList<>();
      int from = 0;
      while (from < order.length) {
        int length = Math.max(padTo, rows.get(order[from]).length); // the batch's longest: rows are sorted
        int size = Math.max(1, Math.min(maxBatchRows, batchTokens / length));
        int to = Math.min(order.length, from + size);
        out.add(Arrays.stream(order, from, to).mapToInt(Integer::intValue).toArray());
        from = to;
      }
      return out;
    }
  }

  Limits limits();

  /**
   * Logits for each window; {@code inputIds.get(i)} and {@code tokenTypeIds.get(i)} have the same length, 1 to
   * {@link Limits#maxLength()}.
   */
  List<Logits> score(List<int[]> inputIds, List<int[]> tokenTypeIds, Options options);

  default List<Logits> score(List<int[]> inputIds, List<int[]> tokenTypeIds) {
    return score(inputIds, tokenTypeIds, Options.DEFAULT);
  }

  @Override
  void close();

  /**
   * A {@code .pt} file as a TorchScript teacher, anything else as a model directory, with the weights on
   * {@code device} (null: the runtime's default, e.g. the GPU a Spark task was given).
   */
  static QaScorer load(Path path, Device device) {
    if (TorchScriptQaModel.isTorchScript(path)) {
      return TorchScriptQaModel.load(path, device);
    }
    return ModelDirectory.load(path, ModelDirectory.DEFAULT_HEAD_SEED, device);
  }
}
