package io.qadistill.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@link QaScorer#score} for a network on DJL's PyTorch engine: windows batched as {@link QaScorer.Options} says,
 * padded, run without gradients, each call in its own native memory scope, freed when it returns.
 */
final class BatchedScoring {
  private BatchedScoring() {}

  /**
   * @param forward start and end logits, each [batch, length], for the inputs {@link #pad} makes; thread-safe
   * @param device where the weights are: the inputs go there too
   */
  static List<QaScorer.Logits> score(UnaryOperator<NDList> forward, Device device, QaScorer.Limits limits,
                                     List<int[]> inputIds, List<int[]> tokenTypeIds, QaScorer.Options options) {
    if (inputIds.size() != tokenTypeIds.size()) {
      throw new IllegalArgumentException(inputIds.size() + " input_ids rows but " + tokenTypeIds.size()
          + " token_type_ids rows");
    }
    int max = limits.maxLength();
    for (int i = 0; i < inputIds.size(); i++) {
      int length = inputIds.get(i).length;
      if (length == 0 || length > max || tokenTypeIds.get(i).length != length) {
        throw new IllegalArgumentException("row " + i + ": " + length + " input_ids and "
            + tokenTypeIds.get(i).length + " token_type_ids; need the same number, 1 to " + max);
      }
    }
    QaScorer.Logits[] out = new QaScorer.Logits[inputIds.size()];
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false); // per thread: Spark's task threads may have it on
    try (NDManager scope = NDManager.newBaseManager(device)) {
      for (int[] batch : options.batches(inputIds)) {
        try (NDManager batchScope = scope.newSubManager()) {
          NDList inputs = pad(batchScope, inputIds, tokenTypeIds, batch, options.padTo());
          NDList outputs = forward.apply(inputs);
          int length = (int) inputs.head().getShape().get(1);
          float[] start = outputs.get(0).toFloatArray();
          float[] end = outputs.get(1).toFloatArray();
          for (int r = 0; r < batch.length; r++) {
            int n = inputIds.get(batch[r]).length;
            out[batch[r]] = new QaScorer.Logits(Arrays.copyOfRange(start, r * length, r * length + n),
                Arrays.copyOfRange(end, r * length, r * length + n));
          }
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    return Arrays.asList(out);
  }

  /**
   * The network's inputs for some rows, padded to the longest of them or to {@code atLeast} (id 0, type 0, mask 0):
   * input_ids, token_type_ids, attention_mask, each [rows, length] int64.
   */
  static NDList pad(NDManager manager, List<int[]> inputIds, List<int[]> tokenTypeIds, int[] rows, int atLeast) {
    int length = atLeast;
    for (int r : rows) {
      length = Math.max(length, inputIds.get(r).length);
    }
    long[] ids = new long[rows.length * length];
    long[] types = new long[rows.length * length];
    long[] mask = new long[rows.length * length];
    for (int r = 0; r < rows.length; r++) {
      int[] rowIds = inputIds.get(rows[r]);
      int[] rowTypes = tokenTypeIds.get(rows[r]);
      for (int i = 0; i < rowIds.length; i++) {
        ids[r * length + i] = rowIds[i];
        types[r * length + i] = rowTypes[i];
        mask[r * length + i] = 1;
      }
    }
    Shape shape = new Shape(rows.length, length);
    NDArray a = manager.create(ids, shape);
    NDArray b = manager.create(types, shape);
    NDArray c = manager.create(mask, shape);
    return new NDList(a, b, c);
  }
}
