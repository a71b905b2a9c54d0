package io.qadistill.train;

import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.Runtimes;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * A partition's side of a training run, kept in its executor JVM between rounds: the student model (built once;
 * each step copies the replica's parameters into it), the teacher model when the loss compares hidden states (loaded
 * once), the partition's rows, its {@link PartitionBatches} and its {@link Replica} of the parameters and AdamW's
 * state.
 *
 * <p>The workers of a JVM live in one static map, by run and partition: the one piece of state shared between
 * the tasks of a training run (each round's task for partition p finds the worker the previous round left). Spark
 * schedules a round's task where the partition's cached rows are, so normally on the same executor; where it is
 * not (an executor lost), the task builds the worker again from the rows, and its replica is empty until the
 * driver sends a state ({@link Round}). A JVM trains one run at a time: creating a worker closes those of other
 * runs.
 */
final class Worker implements AutoCloseable {
  /**
   * What a worker is made from; small, sent with every task. {@code teacherModel}: the teacher's model directory,
   * at a path every executor can read, when the loss has a hidden-state term (its hidden states are computed as
   * training goes); else null.
   */
  record Spec(String run, ModelConfig config, DistillLoss loss, BatchSettings batches, OptimizerSettings optimizer,
              long totalSteps, int threads, long[] partitionRows, String teacherModel) implements Serializable {
    int partitions() {
      return partitionRows.length;
    }
  }

  private static final ConcurrentMap<String, Worker> WORKERS = new ConcurrentHashMap<>();

  private final Spec spec;
  private final int partition;
  private final QaModel model;
  private final QaModel teacher;
  private final ParameterLayout layout;
  private final ParameterLayout.Writer writer;
  private final List<TrainRow> rows;
  private final PartitionBatches batches;
  private final Replica replica;

  private Worker(Spec spec, int partition, List<TrainRow> rows) {
    if (rows.size() != spec.partitionRows()[partition]) {
      throw new IllegalStateException("partition " + partition + " holds " + rows.size() + " rows, the driver counted "
          + spec.partitionRows()[partition] + ": the input tables changed while training");
    }
    this.spec = spec;
    this.partition = partition;
    this.rows = rows;
    this.batches = PartitionBatches.of(rows, spec.batches(), partition);
    // random values, overwritten by the replica's parameters; the tokenizer is never needed here
    this.model = QaModel.initialize(spec.config(), new byte[0], 0);
    this.teacher = spec.teacherModel() == null ? null : QaModel.load(Path.of(spec.teacherModel()));
    this.layout = new ParameterLayout(model);
    this.writer = layout.writer(model);
    this.replica = new Replica(new Optimizer(layout, spec.optimizer(), spec.totalSteps()));
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

  /** Closes the workers of {@code run} in this JVM (after its last step, or as an executor's loss would). */
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

  /** This partition's replica (what a test perturbs to see the driver notice). */
  Replica replica() {
    return replica;
  }

  /** This partition's part of a round (see {@link Round}): what its task returns, before packing. */
  GradientSum round(Round.Input input, Round.Payload payload) {
    useThreads();
    if (payload != null && payload.state() != null) {
      replica.reset(payload.stateStep(), payload.state().unpack());
    }
    if (payload != null && payload.update() != null && replica.steps() >= 0) {
      replica.setUpdate(payload.updateStep(), null, payload.update(), payload.updateScale());
    }
    GradientSum sum = switch (input.kind()) {
      case STEP -> step(input.step());
      case LOCAL_STEPS -> localSteps(input.step(), input.k());
      case FETCH -> fetch(input.step(), input.from(), input.to());
    };
    if (input.checksum() && sum.lost().isEmpty()) {
      sum.withChecksum(partition, replica.checksum());
    }
    return sum;
  }

  /**
   * Step {@code step}: the replica brought to it (the previous step's update applied), then the gradient sums of
   * this partition's batch. With one partition that gradient is the step's whole gradient: the replica keeps it as
   * its next update, and only the sums and the norm go back.
   */
  private GradientSum step(long step) {
    long t0 = System.nanoTime();
    if (!replica.advanceTo(step)) {
      return GradientSum.lost(partition);
    }
    double update = (System.nanoTime() - t0) / 1e9;
    writer.write(replica.params());
    GradientSum sum = gradient(step);
    if (spec.partitions() == 1) {
      Optimizer.Clip clip = replica.optimizer().clip(sum.gradient(), sum.windows());
      replica.setUpdate(step, sum.gradient(), null, clip.scale());
      sum = new GradientSum(null, sum.loss(), sum.distill(), sum.squad(), sum.windows(), sum.tokens(),
          sum.computeSeconds()).withHidden(sum.hidden()).withGradNorms(clip.norm());
    }
    return sum.withUpdateSeconds(update);
  }

  /**
   * {@code k} steps of this partition alone from {@code first}, each as the driver's step over a global batch but
   * on this partition's batch: its mean gradient, clipped, AdamW at the scheduled rate; the round's payload reset
   * the replica to the driver's state. Returns the replica's state after the k steps (treeAggregate sums the
   * partitions' states, the driver divides), with the loss sums, windows and tokens of all k steps, their gradient
   * norms summed, and the time of all of it as compute.
   */
  private GradientSum localSteps(long first, int k) {
    long t0 = System.nanoTime();
    if (replica.steps() != first) {
      return GradientSum.lost(partition);
    }
    double loss = 0;
    double distill = 0;
    double squad = 0;
    double hidden = 0;
    long windows = 0;
    long tokens = 0;
    double norms = 0;
    for (long s = first; s < first + k; s++) {
      writer.write(replica.params());
      GradientSum sum = gradient(s);
      norms += replica.step(sum).gradNorm();
      loss += sum.loss();
      distill += sum.distill();
      squad += sum.squad();
      hidden += sum.hidden();
      windows += sum.windows();
      tokens += sum.tokens();
    }
    return new GradientSum(replica.state(), loss, distill, squad, windows, tokens, (System.nanoTime() - t0) / 1e9)
        .withHidden(hidden).withGradNorms(norms);
  }

  /** The replica brought to {@code step}; partition 0 returns values [from, to) of its state. */
  private GradientSum fetch(long step, int from, int to) {
    if (!replica.advanceTo(step)) {
      return GradientSum.lost(partition);
    }
    return partition == 0 ? new GradientSum(Arrays.copyOfRange(replica.state(), from, to), 0, 0, 0, 0, 0, 0)
        : new GradientSum();
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
    List<TrainRow> batch = new ArrayList<>(spec.batches().batchSize());
    for (int i : batches.rows(step)) {
      batch.add(rows.get(i));
    }
    if (spec.config().hiddenDropoutProb() > 0 || spec.config().attentionProbsDropoutProb() > 0) {
      // the engine's generator is per JVM: reproducible with one training task per executor
      Runtimes.seed(PartitionBatches.mix(PartitionBatches.mix(spec.batches().seed(), step), partition));
    }
    return GradientStep.compute(model, teacher, layout, batch, spec.loss());
  }

  @Override
  public void close() {
    model.close();
    if (teacher != null) {
      teacher.close();
    }
  }
}
