package io.qadistill.bench;

import ai.djl.ndarray.NDArray;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaObjective;
import io.qadistill.model.TrainBatch;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.train.BatchPlan;
import io.qadistill.train.Batching;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.GradientSum;
import io.qadistill.train.ParameterLayout;
import io.qadistill.train.TrainData;
import io.qadistill.train.TrainRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Where one training step's time goes, in one process without Spark: parameter copy-in, zeroing the gradients
 * and the forward pass, loss, backward, gradient copy-out and packing, each timed (wall, and the process's user and system CPU
 * and minor page faults from /proc/self/stat), next to an inference forward of the same batch. Batches as the
 * trainer takes them ({@link BatchPlan}), so what it shows is what {@code finetune} spends.
 *
 * <p>{@code jobs/bench TrainStepProfile <features> <model dir> [batch 16] [steps 6] [threads 2]
 * [length groups 50; 0: random batches]}
 */
public final class TrainStepProfile {
  private static final String[] PHASES = {"copy-in", "zero+forward", "loss", "backward", "grad-out", "pack",
      "inference"};

  public static void main(String[] args) throws Exception {
    String features = args[0];
    Path modelDir = Path.of(args[1]);
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 6;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    int groups = args.length > 5 ? Integer.parseInt(args[5]) : Batching.LENGTH_GROUPS;
    List<TrainRow> rows;
    SparkSession spark = SparkSession.builder().master("local[1]").appName("TrainStepProfile")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      TrainData data = TrainData.prepare(spark, features, null, null, 1);
      rows = data.rows().collect();
      data.release();
    } finally {
      spark.stop();
    }
    Runtimes.setThreads(threads);
    DistillLoss loss = DistillLoss.FINE_TUNE;
    try (QaModel model = ModelDirectory.load(modelDir)) {
      ParameterLayout layout = new ParameterLayout(model);
      float[] params = layout.read(model);
      ParameterLayout.Writer writer = layout.writer(model);
      model.requireGradients();
      BatchPlan plan = BatchPlan.of(rows, new Batching(batch, 1, 1, 1, 42).withLengthGroups(groups), 0);
      double[] total = new double[PHASES.length * 3];
      System.out.printf("%d windows, batch %d, %d PyTorch threads, length groups %d%n", rows.size(), batch, threads,
          groups);
      System.out.println("step tokens padded | " + String.join(" | ", PHASES) + "   (wall s / sys s / minflt k)");
      for (int s = 0; s <= steps; s++) {
        List<TrainRow> b = new ArrayList<>();
        for (int i : plan.rows(s)) {
          b.add(rows.get(i));
        }
        double[] t = step(model, layout, writer, params, b, loss);
        int length = b.stream().mapToInt(TrainRow::length).max().orElseThrow();
        StringBuilder line = new StringBuilder(String.format("%d %d %d |", s, b.stream()
            .mapToInt(TrainRow::length).sum(), length * b.size()));
        for (int p = 0; p < PHASES.length; p++) {
          line.append(String.format(" %.2f/%.2f/%.0f", t[3 * p], t[3 * p + 1], t[3 * p + 2] / 1000));
          if (s > 0) {
            for (int k = 0; k < 3; k++) {
              total[3 * p + k] += t[3 * p + k];
            }
          }
        }
        System.out.println(line);
      }
      StringBuilder line = new StringBuilder("mean (first left out) |");
      for (int p = 0; p < PHASES.length; p++) {
        line.append(String.format(" %s %.2f/%.2f/%.0f", PHASES[p], total[3 * p] / steps, total[3 * p + 1] / steps,
            total[3 * p + 2] / steps / 1000));
      }
      System.out.println(line);
    }
  }

  /** Per phase: wall seconds, system CPU seconds, minor faults. */
  private static double[] step(QaModel model, ParameterLayout layout, ParameterLayout.Writer writer,
                               float[] params, List<TrainRow> batch, DistillLoss loss) throws Exception {
    double[] out = new double[PHASES.length * 3];
    Meter meter = new Meter();
    writer.write(params);
    meter.lap(out, 0);
    List<int[]> ids = batch.stream().map(TrainRow::inputIds).toList();
    List<int[]> types = batch.stream().map(TrainRow::tokenTypeIds).toList();
    TrainBatch inputs = new TrainBatch(ids, types, batch.stream().mapToLong(TrainRow::startPosition).toArray(),
        batch.stream().mapToLong(TrainRow::endPosition).toArray(), null, null);
    // the loss is called between the forward and the backward pass: its laps split the step's time
    QaObjective timed = new QaObjective() {
      @Override
      public boolean needsTeacher() {
        return false;
      }

      @Override
      public Terms sums(NDArray start, NDArray end, NDArray mask, NDArray startPositions, NDArray endPositions,
                        NDArray teacherStart, NDArray teacherEnd) {
        lap(meter, out, 1);
        Terms terms = loss.sums(start, end, mask, startPositions, endPositions, null, null);
        lap(meter, out, 2);
        return terms;
      }
    };
    meter.reset();
    model.backward(inputs, timed);
    meter.lap(out, 3);
    float[] gradient = layout.gradients(model);
    meter.lap(out, 4);
    new GradientSum(gradient, 0, 0, 0, batch.size(), 0, 0).packed();
    meter.lap(out, 5);
    model.score(ids, types, new QaScorer.Options(Integer.MAX_VALUE, batch.size()));
    meter.lap(out, 6);
    return out;
  }

  private static void lap(Meter meter, double[] out, int phase) {
    try {
      meter.lap(out, phase);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Wall time, system CPU and minor faults of this process since the last lap. */
  private static final class Meter {
    private long wall;
    private long[] stat;

    Meter() throws Exception {
      reset();
    }

    void reset() throws Exception {
      wall = System.nanoTime();
      stat = stat();
    }

    void lap(double[] out, int phase) throws Exception {
      long now = System.nanoTime();
      long[] st = stat();
      out[3 * phase] = (now - wall) / 1e9;
      out[3 * phase + 1] = (st[1] - stat[1]) / 100.0;
      out[3 * phase + 2] = st[0] - stat[0];
      wall = now;
      stat = st;
    }

    /** minflt and stime (clock ticks) from /proc/self/stat. */
    private static long[] stat() throws Exception {
      String s = Files.readString(Path.of("/proc/self/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[7]), Long.parseLong(f[12])};
    }
  }
}
