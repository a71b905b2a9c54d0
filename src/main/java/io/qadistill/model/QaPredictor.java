package io.qadistill.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Start and end logits for feature rows, without gradients: rows are sorted by length, cut into batches of at
 * most {@code batchTokens} padded positions (and {@code maxBatchRows} rows), each batch padded to its own
 * longest row, and the logits come back in the rows' order, trimmed to each row's length. Padding is masked,
 * so a row's logits do not depend on the batch it landed in (beyond float rounding, ≤ 1e-4).
 *
 * <p>Thread-safe: several threads (Spark tasks of one executor) may call {@link #predict} on one instance; each
 * call has its own native memory scope, freed when it returns. PyTorch's intra-op thread count is one setting
 * per JVM: {@link #setThreads(int)}. On CPU, one intra-op thread per task and as many concurrent tasks as cores
 * (spark.task.cpus=1) was 1.4× faster than one task with 2 intra-op threads on a busy 2-core machine
 * (docs/benchmarks.md, "Models"): OpenMP's per-op barriers stall whenever a thread is descheduled.
 */
public final class QaPredictor {
  /** Logits of one row, as long as the row. */
  public record Logits(float[] start, float[] end) {}

  /** {@code batchTokens}: padded positions per batch (rows × batch length); {@code maxBatchRows}: rows per batch. */
  public record Options(int batchTokens, int maxBatchRows) {
    public static final Options DEFAULT = new Options(4096, 64);

    public Options {
      if (batchTokens < 1) {
        throw new IllegalArgumentException("batchTokens " + batchTokens + " must be ≥ 1");
      }
      if (maxBatchRows < 1) {
        throw new IllegalArgumentException("maxBatchRows " + maxBatchRows + " must be ≥ 1");
      }
    }
  }

  private final QaModel model;
  private final Options options;

  public QaPredictor(QaModel model, Options options) {
    this.model = model;
    this.options = options;
  }

  public QaModel model() {
    return model;
  }

  /**
   * Sets the number of threads PyTorch uses inside one op, for the whole JVM: 1 where concurrent tasks keep the
   * cores busy (see the class comment), the executor's cores where one task runs at a time. Call before the first
   * prediction: PyTorch applies the count to a thread when that thread first runs an op, so threads that already
   * ran one keep their old count.
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " must be ≥ 1");
    }
    Engine.getEngine("PyTorch"); // loads the native library that JniUtils calls into
    JniUtils.setNumThreads(threads);
  }

  /** Logits for each row; {@code inputIds.get(i)} and {@code tokenTypeIds.get(i)} have the same length. */
  public List<Logits> predict(List<int[]> inputIds, List<int[]> tokenTypeIds) {
    if (inputIds.size() != tokenTypeIds.size()) {
      throw new IllegalArgumentException(inputIds.size() + " input_ids rows but " + tokenTypeIds.size()
          + " token_type_ids rows");
    }
    int max = model.maxLength();
    for (int i = 0; i < inputIds.size(); i++) {
      int length = inputIds.get(i).length;
      if (length == 0 || length > max || tokenTypeIds.get(i).length != length) {
        throw new IllegalArgumentException("row " + i + ": " + length + " input_ids and "
            + tokenTypeIds.get(i).length + " token_type_ids; need the same number, 1 to " + max);
      }
    }
    Logits[] out = new Logits[inputIds.size()];
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false); // per thread: Spark's task threads may have it on
    // inputs go where the weights are (a GPU for a model loaded there)
    try (NDManager scope = NDManager.newBaseManager(model.manager().getDevice())) {
      for (int[] batch : batches(inputIds, options)) {
        try (NDManager batchScope = scope.newSubManager()) {
          NDList inputs = pad(batchScope, inputIds, tokenTypeIds, batch);
          NDList outputs = model.logits(inputs);
          int length = (int) inputs.head().getShape().get(1);
          float[] start = outputs.get(0).toFloatArray();
          float[] end = outputs.get(1).toFloatArray();
          for (int r = 0; r < batch.length; r++) {
            int n = inputIds.get(batch[r]).length;
            out[batch[r]] = new Logits(Arrays.copyOfRange(start, r * length, r * length + n),
                Arrays.copyOfRange(end, r * length, r * length + n));
          }
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    return Arrays.asList(out);
  }

  /** Row indices grouped into batches: longest first, each batch within the options' limits. */
  public static List<int[]> batches(List<int[]> rows, Options options) {
    Integer[] order = IntStream.range(0, rows.size()).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> rows.get(i).length).reversed());
    List<int[]> out = new ArrayList<>();
    int from = 0;
    while (from < order.length) {
      int length = rows.get(order[from]).length; // the batch's longest: rows are sorted
      int size = Math.max(1, Math.min(options.maxBatchRows(), options.batchTokens() / length));
      int to = Math.min(order.length, from + size);
      out.add(Arrays.stream(order, from, to).mapToInt(Integer::intValue).toArray());
      from = to;
    }
    return out;
  }

  /**
   * The block's inputs for some rows, padded to the longest of them (id 0, type 0, mask 0):
   * input_ids, token_type_ids, attention_mask, each [rows, length] int64.
   */
  public static NDList pad(NDManager manager, List<int[]> inputIds, List<int[]> tokenTypeIds, int[] rows) {
    int length = 0;
    for (int r : rows) {
      length = Math.max(length, inputIds.get(r).length);
    }
    return pad(manager, inputIds, tokenTypeIds, rows, length);
  }

  /** As {@link #pad(NDManager, List, List, int[])}, padded to {@code length}. */
  public static NDList pad(NDManager manager, List<int[]> inputIds, List<int[]> tokenTypeIds, int[] rows,
                           int length) {
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
