package io.qadistill.eval;

import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelCache;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaScorer;
import io.qadistill.model.ScoringModel;
import io.qadistill.teacher.LogitsTable;
import io.qadistill.teacher.TaskDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * A model directory run over a features table on the executors: the logits table ({@link LogitsTable#SCHEMA},
 * teacher = the model's label). Each executor JVM opens the model once, in the runtime the driver chose
 * ({@link ScoringModel}, {@link ModelCache}), and every task on it reuses it; a task feeds its rows to the
 * {@link QaScorer} in chunks of {@link #CHUNK_ROWS}, which it batches by length. A task scores with
 * {@code spark.task.cpus} intra-op threads, so concurrent tasks share the executor's cores instead of each taking
 * all of them.
 *
 * <p>The model directory must be readable at the same local path on every executor (a shared mount, or
 * shipped with {@code --files}). Cost: one pass over the features, no shuffle; nothing reaches the driver.
 */
public final class ModelLogits {
  /** Windows per score call: enough for the scorer to batch similar lengths together, small in memory. */
  static final int CHUNK_ROWS = 512;

  private ModelLogits() {}

  /** Fails on the driver, before any task starts, when {@code dir} is not a model directory. */
  public static void check(String dir) {
    Path path = Path.of(dir);
    for (String file : new String[] {ModelDirectory.CONFIG, ModelDirectory.WEIGHTS}) {
      if (!Files.isRegularFile(path.resolve(file))) {
        throw new UsageException("model directory " + dir + " has no " + file + ": give a directory written by "
            + "import-model or train (config.json, model.safetensors, tokenizer.json)");
      }
    }
  }

  /**
   * Lazily computes the logits of every features row with {@code model}, labelled {@code label}.
   *
   * @param features the features table (example_id, window, input_ids, token_type_ids used)
   * @param done counts the windows predicted, chunk by chunk (for the progress log)
   */
  public static Dataset<Row> compute(Dataset<Row> features, ScoringModel model, String label,
      QaScorer.Options options, LongAccumulator done) {
    // Options is not Serializable: its two numbers travel in the closure.
    int batchTokens = options.batchTokens();
    int maxBatchRows = options.maxBatchRows();
    MapPartitionsFunction<Row, Row> predict = rows -> {
      TaskContext task = TaskContext.get();
      QaScorer scorer = ModelCache.scorer(model, TaskDevice.of(task, model), task.cpus());
      return new Chunks(rows, scorer, new QaScorer.Options(batchTokens, maxBatchRows), label, done);
    };
    return features
        .select(FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW, FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS)
        .mapPartitions(predict, Encoders.row(LogitsTable.SCHEMA));
  }

  /** A partition's rows, predicted {@link #CHUNK_ROWS} at a time. */
  private static final class Chunks implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final QaScorer scorer;
    private final QaScorer.Options options;
    private final String label;
    private final LongAccumulator done;
    private Iterator<Row> current = List.<Row>of().iterator();

    Chunks(Iterator<Row> rows, QaScorer scorer, QaScorer.Options options, String label, LongAccumulator done) {
      this.rows = rows;
      this.scorer = scorer;
      this.options = options;
      this.label = label;
      this.done = done;
    }

    @Override
    public boolean hasNext() {
      if (!current.hasNext() && rows.hasNext()) {
        current = next(CHUNK_ROWS).iterator();
      }
      return current.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return current.next();
    }

    private List<Row> next(int n) {
      List<Row> in = new ArrayList<>(n);
      List<int[]> ids = new ArrayList<>(n);
      List<int[]> types = new ArrayList<>(n);
      while (in.size() < n && rows.hasNext()) {
        Row r = rows.next();
        in.add(r);
        ids.add(ints(r.getList(2)));
        types.add(ints(r.getList(3)));
      }
      List<QaScorer.Logits> logits = scorer.score(ids, types, options);
      done.add(in.size());
      List<Row> out = new ArrayList<>(in.size());
      for (int i = 0; i < in.size(); i++) {
        out.add(RowFactory.create(in.get(i).getString(0), in.get(i).getInt(1), logits.get(i).start(),
            logits.get(i).end(), label));
      }
      return out;
    }
  }

  private static int[] ints(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
