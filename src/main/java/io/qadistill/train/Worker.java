package io.qadistill.train;

import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.Runtimes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * A partition's side of a training run, kept in its executor JVM between steps: the student model (built once,
 * its weights overwritten each step from the broadcast parameters), the partition's rows and its
 * {@link BatchPlan}.
 *
 * <p>The workers of a JVM live in one static map, by run and partition: the one piece of state shared between
 * the tasks of a training run (each step's task for partition p finds the worker the previous step left). Spark
 * schedules a step's task where the partition's cached rows are, so normally on the same executor; where it is
 * not (an executor lost), the task builds the worker again from the rows, and since every step sends all the
 * parameters nothing else is lost. A JVM trains one run at a time: creating a worker closes those of other runs.
 */
final class Worker implements AutoCloseable {
  /** What a worker is made from; small, sent with every task. */
  record Spec(String run, ModelConfig config, DistillLoss loss, Batching batching, Optimization optimization,
              long totalSteps, int threads, long[] partitionRows) implements Serializable {}

  private static final ConcurrentMap<String, Worker> WORKERS = new ConcurrentHashMap<>();

  private final Spec spec;
  private final int partition;
  private final QaModel model;
  private final ParameterLayout layout;
  private final ParameterLayout.Writer writer;
  private final List<TrainRow> rows;
  private final BatchPlan plan;
  private Optimizer optimizer; // local steps only

  private Worker(Spec spec, int partition, List<TrainRow> rows) {
    if (rows.size() != spec.partitionRows()[partition]) {
      throw new IllegalStateException("partition " + partition + " holds " + rows.size() + " rows, the driver counted "
          + spec.partitionRows()[partition] + ": the input tables changed while training");
    }
    this.spec = spec;
    this.partition = partition;
    this.rows = rows;
    this.plan = BatchPlan.of(rows, spec.batching(), partition);
    // random values, overwritten by the first step's parameters; the tokenizer is never needed here
    this.model = QaModel.initialize(spec.config(), new byte[0], 0);
    this.layout = new ParameterLayout(model);
    this.writer = layout.writer(model);
    model.requireGradients();
  }

  /** The worker of {@code partition} in this JVM, made from the partition's rows if there is none yet. */
  static Worker of(Spec spec, int partition, Iterator<TrainRow> partitionRows) {
    String key = spec.run() + "/" + partition;
    Worker worker = WORKERS.get(key);
    if (worker == null) {
      closeWhere(k -> !k.startsWith(spec.run() + "/"));
      List<TrainRow> rows = new ArrayList<>();
      partitionRows.forEachRemaining(rows::add);
      worker = new Worker(spec, partition, rows);
      WORKERS.put(key, worker);
    }
    return worker;
  }

  /** Closes the workers of {@code run} in this JVM (after its last step). */
  static void closeRun(String run) {
    closeWhere(k -> k.startsWith(run + "/"));
  }

  /** Closes and forgets the workers whose key matches. */
  private static void closeWhere(Predicate<String> key) {
    WORKERS.entrySet().removeIf(e -> {
      if (key.test(e.getKey())) {
        e.getValue().close();
        return true;
      }
      return false;
    });
  }

  /** The gradient sums of step {@code step} on this partition's next batch, with the model set to {@code params}. */
  GradientSum step(float[] params, long step) {
    useThreads();
    writer.write(params);
    return gradient(step);
  }

  /**
   * {@code k} steps of this partition alone, from {@code state}: the parameters, AdamW's first and second moments
   * end to end (3 × the layout's size), after {@code first} updates. Each step is what the driver does with a
   * global batch, on this partition's batch: its mean gradient, clipped, AdamW at the scheduled rate. Returns the
   * state after the k steps in the same layout (treeAggregate sums the partitions' states, the driver divides),
   * with the loss sums, windows and tokens of all k steps, their gradient norms summed, and the time of all of it
   * as compute.
   */
  GradientSum localSteps(float[] state, long first, int k) {
    long t0 = System.nanoTime();
    useThreads();
    if (optimizer == null) {
      optimizer = new Optimizer(layout, spec.optimization(), spec.totalSteps());
    }
    float[] params = optimizer.adam().restoreState(first, state, 1);
    double loss = 0;
    double distill = 0;
    double squad = 0;
    long windows = 0;
    long tokens = 0;
    double norms = 0;
    for (long s = first; s < first + k; s++) {
      writer.write(params);
      GradientSum sum = gradient(s);
      norms += optimizer.apply(params, sum, s).gradNorm();
      loss += sum.loss();
      distill += sum.distill();
      squad += sum.squad();
      windows += sum.windows();
      tokens += sum.tokens();
    }
    return new GradientSum(optimizer.adam().state(params), loss, distill, squad, windows, tokens,
        (System.nanoTime() - t0) / 1e9)
        .withGradNorms(norms);
  }

  private void useThreads() {
    if (spec.threads() > 0 && Runtimes.threads() != spec.threads()) {
      // PyTorch's OpenMP thread count is per calling thread, and a step's task may run on a task thread that has
      // not set it (TrainBench's executors started at 1 intra-op thread, and ran 2-core steps on one)
      Runtimes.setThreads(spec.threads());
    }
  }

  /** The gradient sums of step {@code step} on this partition's batch, with the model as it is. */
  private GradientSum gradient(long step) {
    List<TrainRow> batch = new ArrayList<>(spec.batching().batchSize());
    for (int i : plan.rows(step)) {
      batch.add(rows.get(i));
    }
    if (spec.config().hiddenDropoutProb() > 0 || spec.config().attentionProbsDropoutProb() > 0) {
      // the engine's generator is per JVM: reproducible with one training task per executor
      Runtimes.seed(BatchPlan.mix(BatchPlan.mix(spec.batching().seed(), step), partition));
    }
    return GradientStep.compute(model, layout, batch, spec.loss());
  }

  @Override
  public void close() {
    model.close();
  }
}
