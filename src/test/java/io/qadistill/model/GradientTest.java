package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The block is trainable on the PyTorch engine: its gradients (engine autograd through our forward and
 * {@link QaLoss}) agree with central finite differences in float64 on a tiny model, the engine accumulates
 * gradients until {@link QaBlock#zeroGradients()}, and 50 Adam steps on 64 real SQuAD windows lower the QA loss
 * of the imported all-MiniLM-L6-v2 with a fresh head.
 */
class GradientTest {
  /** 2 layers, hidden 8, 2 heads; dropout off so that the loss is a deterministic function of the parameters. */
  private static final ModelConfig TINY = new ModelConfig("bert", 30, 8, 2, 2, 16, "gelu", 0, 0, 16, 2, 1e-12, 0.02, 0);
  private static final int[] LENGTHS = {7, 5, 3};
  private static final double STEP = 1e-6;
  private static final List<String> CHECKED = List.of(
      "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
      "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight",
      "bert.embeddings.LayerNorm.bias", "bert.encoder.layer.0.attention.self.query.weight",
      "bert.encoder.layer.0.attention.self.key.bias", "bert.encoder.layer.0.attention.self.value.weight",
      "bert.encoder.layer.0.attention.output.dense.weight", "bert.encoder.layer.0.attention.output.LayerNorm.bias",
      "bert.encoder.layer.0.intermediate.dense.weight", "bert.encoder.layer.1.intermediate.dense.bias",
      "bert.encoder.layer.1.output.dense.weight", "bert.encoder.layer.1.output.LayerNorm.weight",
      Family.QA_WEIGHT, Family.QA_BIAS);

  @TempDir static Path dir;

  private final List<int[]> ids = new ArrayList<>();
  private final List<int[]> types = new ArrayList<>();
  private final long[] starts = new long[LENGTHS.length];
  private final long[] ends = new long[LENGTHS.length];
  private final Map<String, double[]> values = new LinkedHashMap<>();

  GradientTest() {
    SplittableRandom random = new SplittableRandom(5);
    for (int r = 0; r < LENGTHS.length; r++) {
      int n = LENGTHS[r];
      int[] rowIds = new int[n];
      int[] rowTypes = new int[n];
      for (int i = 0; i < n; i++) {
        rowIds[i] = 1 + random.nextInt(TINY.vocabSize() - 1);
        rowTypes[i] = i < n / 2 ? 0 : 1;
      }
      ids.add(rowIds);
      types.add(rowTypes);
      starts[r] = random.nextInt(n);
      ends[r] = random.nextInt(n);
    }
    // Larger than BERT's initialisation (normal(0, 0.02), LayerNorm 1 and 0), so that every term of the
    // gradient is well above rounding and each nonlinearity is away from its linear regime.
    new QaBlock(TINY).shapes().forEach((name, shape) -> {
      double[] v = new double[Math.toIntExact(shape.size())];
      for (int i = 0; i < v.length; i++) {
        v[i] = (name.contains("LayerNorm.weight") ? 1 : 0) + 0.5 * (random.nextDouble() * 2 - 1);
      }
      values.put(name, v);
    });
  }

  @Test
  void engineGradientsAgreeWithFiniteDifferences() {
    Map<String, double[]> gradients = new LinkedHashMap<>();
    double loss = loss(values, gradients);
    SplittableRandom pick = new SplittableRandom(9);
    double worst = 0;
    int checked = 0;
    for (String name : CHECKED) {
      double[] v = values.get(name);
      double[] g = gradients.get(name);
      List<Integer> indices = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        indices.add(pick.nextInt(v.length));
      }
      if (name.contains("word_embeddings")) {
        indices.add(ids.get(0)[0] * TINY.hiddenSize() + 3); // a row the inputs use: its gradient is not 0
      }
      for (int i : indices) {
        double saved = v[i];
        v[i] = saved + STEP;
        double up = loss(values, null);
        v[i] = saved - STEP;
        double down = loss(values, null);
        v[i] = saved;
        double numeric = (up - down) / (2 * STEP);
        double error = Math.abs(numeric - g[i]) / (1e-6 + Math.abs(numeric));
        worst = Math.max(worst, error);
        checked++;
        assertThat(g[i]).as("d loss / d %s[%d]: engine %.10g, finite difference %.10g", name, i, g[i], numeric)
            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-8 + 1e-6 * Math.abs(numeric)));
      }
    }
    System.out.printf("gradients: loss %.6f, %d entries of %d parameters, worst relative error %.3g%n", loss,
        checked, CHECKED.size(), worst);
    // a softmax does not change when one value is added to every logit of a row, so the head's bias has none
    assertThat(java.util.Arrays.stream(gradients.get(Family.QA_BIAS)).map(Math::abs).max().orElseThrow())
        .isLessThan(1e-12);
    assertThat(java.util.Arrays.stream(gradients.get(Family.QA_WEIGHT)).map(Math::abs).max().orElseThrow())
        .isGreaterThan(1e-2);
    // position 6 is real in row 0 only, and position 7+ nowhere: the latter gets no gradient
    double[] positions = gradients.get("bert.embeddings.position_embeddings.weight");
    assertThat(positions[6 * TINY.hiddenSize()]).isNotZero();
    assertThat(positions[7 * TINY.hiddenSize()]).isZero();
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    try (NDManager m = NDManager.newBaseManager()) {
      QaBlock block = block(m, values, DataType.FLOAT32, true);
      NDArray query = block.parameters().get("bert.encoder.layer.0.attention.self.query.weight").getArray();
      backward(m, block);
      float[] once = query.getGradient().toFloatArray();
      backward(m, block);
      float[] twice = query.getGradient().toFloatArray();
      block.zeroGradients();
      assertThat(query.getGradient().toFloatArray()).containsOnly(0f);
      backward(m, block);
      float[] again = query.getGradient().toFloatArray();
      for (int i = 0; i < once.length; i++) {
        assertThat(twice[i]).isCloseTo(2 * once[i], org.assertj.core.data.Offset.offset(1e-5f + 1e-5f * Math.abs(once[i])));
        assertThat(again[i]).isCloseTo(once[i], org.assertj.core.data.Offset.offset(1e-5f + 1e-5f * Math.abs(once[i])));
      }
      double largest = 0;
      for (float x : once) {
        largest = Math.max(largest, Math.abs(x));
      }
      assertThat(largest).as("a gradient to compare").isGreaterThan(1e-3);
    }
  }

  /**
   * Slow (4 to 8 minutes on 2 shared cores: 400 forward and backward passes of a 6-layer model), so it runs with the
   * slow group ({@code mvn -B test -Pslow}) before a merge that touches the block or the
   * loss, not in the default run.
   *
   * <p>Fine-tuning all-MiniLM-L6-v2 with a fresh head on the first 64 dev-v1.1 windows, 8 length-bucketed batches of 8,
   * 50 Adam steps (lr 1e-4, dropout on): the mean QA loss over the 64 windows (dropout off) must fall by a third.
   */
  @Test
  @Tag("slow")
  void fiftyStepsOnRealWindowsLowerTheQaLoss() {
    OnnxImport.run(new OnnxImport.Config(OnnxImport.CLASSPATH, dir.resolve("minilm"), null, 7));
    List<SquadWindows.Window> windows = SquadWindows.first(TestData.devV11(), 64);
    List<int[]> rowIds = windows.stream().map(SquadWindows.Window::inputIds).toList();
    List<int[]> rowTypes = windows.stream().map(SquadWindows.Window::tokenTypeIds).toList();
    long[] rowStarts = windows.stream().mapToLong(SquadWindows.Window::startPosition).toArray();
    long[] rowEnds = windows.stream().mapToLong(SquadWindows.Window::endPosition).toArray();
    assertThat(java.util.Arrays.stream(rowStarts).filter(p -> p > 0).count()).as("windows with an answer inside")
        .isGreaterThan(40);
    List<int[]> batches = new QaScorer.Options(Integer.MAX_VALUE, 8).batches(rowIds);
    Engine.getEngine("PyTorch").setRandomSeed(11); // dropout masks
    try (QaModel model = ModelDirectory.load(dir.resolve("minilm"))) {
      QaBlock block = model.block();
      double before = meanLoss(block, rowIds, rowTypes, rowStarts, rowEnds, batches);
      block.parameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-4f)).build();
      double firstStep = 0;
      double lastStep = 0;
      for (int step = 0; step < 50; step++) {
        int[] batch = batches.get(step % batches.size());
        try (NDManager scope = model.manager().newSubManager()) {
          NDList inputs = BatchedScoring.pad(scope, rowIds, rowTypes, batch, 0);
          block.zeroGradients();
          try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDList out = block.forward(new ParameterStore(scope, false), inputs, true);
            NDArray loss = QaLoss.loss(out.get(0), out.get(1), inputs.get(2), pick(scope, rowStarts, batch),
                pick(scope, rowEnds, batch));
            collector.backward(loss);
            lastStep = loss.getFloat();
            firstStep = step == 0 ? lastStep : firstStep;
          }
          for (Parameter p : block.parameters().values()) {
            try (NDArray gradient = p.getArray().getGradient()) {
              adam.update(p.getId(), p.getArray(), gradient);
            }
          }
        }
      }
      double after = meanLoss(block, rowIds, rowTypes, rowStarts, rowEnds, batches);
      System.out.printf("training: mean QA loss on 64 windows %.4f -> %.4f after 50 steps (batch loss %.4f -> %.4f)%n",
          before, after, firstStep, lastStep);
      assertThat(before).as("a fresh head: about ln(mean length 170)").isBetween(4.0, 6.0);
      assertThat(after).as("mean QA loss after 50 steps, from %.4f", before).isLessThan(before * 2 / 3);
    }
  }

  /** The QA loss of the tiny model at {@code at} (float64); with {@code gradients} given, fills in d loss / d each. */
  private double loss(Map<String, double[]> at, Map<String, double[]> gradients) {
    try (NDManager m = NDManager.newBaseManager()) {
      QaBlock block = block(m, at, DataType.FLOAT64, gradients != null);
      double loss;
      if (gradients == null) {
        loss = forwardLoss(m, block, false).getDouble();
      } else {
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray l = forwardLoss(m, block, true);
          collector.backward(l);
          loss = l.getDouble();
        }
        block.parameters().forEach((name, p) -> gradients.put(name, p.getArray().getGradient().toDoubleArray()));
      }
      return loss;
    }
  }

  private void backward(NDManager m, QaBlock block) {
    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      collector.backward(forwardLoss(m, block, true));
    }
  }

  private NDArray forwardLoss(NDManager m, QaBlock block, boolean training) {
    NDList inputs = BatchedScoring.pad(m, ids, types, new int[] {0, 1, 2}, 0);
    NDList out = block.forward(new ParameterStore(m, false), inputs, training);
    return QaLoss.loss(out.get(0), out.get(1), inputs.get(2), m.create(starts), m.create(ends));
  }

  /** A tiny block holding {@code at} as {@code type} (DJL parameters take any array; loading is float32 only). */
  private static QaBlock block(NDManager m, Map<String, double[]> at, DataType type, boolean withGradients) {
    QaBlock block = new QaBlock(TINY);
    block.parameters().forEach((name, p) -> {
      NDArray a = m.create(at.get(name), block.shapes().get(name)).toType(type, false);
      if (withGradients) {
        a.setRequiresGradient(true);
      }
      p.setArray(a);
    });
    return block;
  }

  private static double meanLoss(QaBlock block, List<int[]> ids, List<int[]> types, long[] starts, long[] ends,
                                 List<int[]> batches) {
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    double sum = 0;
    int rows = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      for (int[] batch : batches) {
        try (NDManager scope = m.newSubManager()) {
          NDList inputs = BatchedScoring.pad(scope, ids, types, batch, 0);
          NDList out = block.forward(new ParameterStore(scope, false), inputs, false);
          sum += QaLoss.loss(out.get(0), out.get(1), inputs.get(2), pick(scope, starts, batch),
              pick(scope, ends, batch)).getFloat() * batch.length;
          rows += batch.length;
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    return sum / rows;
  }

  private static NDArray pick(NDManager m, long[] values, int[] rows) {
    long[] out = new long[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    return m.create(out, new Shape(rows.length));
  }
}
