package io.qadistill.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A question-answering model of any supported family ({@code config.json}'s {@code model_type}), loaded from or
 * saved to a model directory ({@link ModelDirectory}): its parameters in native memory (freed by {@link #close()})
 * by their transformers names, its config, and the tokenizer.json it was trained with (kept as bytes so that a save
 * does not depend on the directory it came from still being there). It scores windows ({@link QaScorer}, from any
 * number of threads) and trains (the methods below, from one thread).
 */
public final class QaModel implements QaScorer {
  private final NDManager manager;
  private final QaBlock block;
  private final byte[] tokenizerJson;

  QaModel(NDManager manager, QaBlock block, byte[] tokenizerJson) {
    this.manager = manager;
    this.block = block;
    this.tokenizerJson = tokenizerJson.clone();
  }

  /** A new model with transformers' initialisation from {@code seed} (see {@link QaBlock#initialize}). */
  public static QaModel initialize(ModelConfig config, byte[] tokenizerJson, long seed) {
    NDManager manager = NDManager.newBaseManager();
    QaBlock block = new QaBlock(config);
    block.initialize(manager, seed);
    return new QaModel(manager, block, tokenizerJson);
  }

  /** The model directory at {@code dir}; see {@link ModelDirectory#load(Path)}. */
  public static QaModel load(Path dir) {
    return ModelDirectory.load(dir);
  }

  /** Writes this model as a model directory; see {@link ModelDirectory#save}. */
  public void save(Path dir) {
    ModelDirectory.save(this, dir);
  }

  public ModelConfig config() {
    return block.config();
  }

  QaBlock block() {
    return block;
  }

  NDManager manager() {
    return manager;
  }

  public byte[] tokenizerJson() {
    return tokenizerJson.clone();
  }

  @Override
  public Limits limits() {
    ModelConfig c = config();
    return new Limits(c.maxLength(), c.vocabSize(), c.typeVocabSize());
  }

  @Override
  public List<Logits> score(List<int[]> inputIds, List<int[]> tokenTypeIds, Options options) {
    return BatchedScoring.score(this::logits, manager.getDevice(), limits(), inputIds, tokenTypeIds, options);
  }

  /** Start and end logits from the block, without dropout. */
  NDList logits(NDList inputs) {
    NDList out = block.forward(new ParameterStore(inputs.head().getManager(), false), inputs, false);
    return new NDList(out.get(0), out.get(1));
  }

  /** A copy of every parameter's values by transformers name, in state-dict order. */
  public Map<String, Safetensors.Tensor> stateDict() {
    Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : block.parameters().entrySet()) {
      out.put(e.getKey(), new Safetensors.Tensor(block.shapes().get(e.getKey()).getShape(),
          e.getValue().getArray().toFloatArray()));
    }
    return out;
  }

  /** Every parameter's shape by transformers name, in state-dict order. */
  public Map<String, long[]> shapes() {
    Map<String, long[]> out = new LinkedHashMap<>();
    block.shapes().forEach((name, shape) -> out.put(name, shape.getShape()));
    return out;
  }

  /** Weights in all. */
  public long parameterCount() {
    return block.shapes().values().stream().mapToLong(Shape::size).sum();
  }

  /** Whether AdamW's weight decay applies to a parameter (not to biases and LayerNorm weights). */
  public boolean decays(String name) {
    return !config().family().exemptFromDecay(name);
  }

  /** A copy of one parameter's values, row-major. */
  public float[] get(String name) {
    return block.get(name);
  }

  /** Sets one parameter, row-major; an attached gradient stays attached. */
  public void set(String name, float[] values) {
    block.set(name, values);
  }

  /** Copies one parameter's values into {@code out} from {@code offset}. */
  public void readValues(String name, float[] out, int offset) {
    copy(parameter(name), out, offset);
  }

  /** Copies one parameter's gradient into {@code out} from {@code offset}; leaves it as it is when there is none. */
  public void readGradient(String name, float[] out, int offset) {
    NDArray array = parameter(name);
    if (array.hasGradient()) {
      try (NDArray g = array.getGradient()) {
        copy(g, out, offset);
      }
    }
  }

  /** Makes every parameter a leaf that collects a gradient. */
  public void requireGradients() {
    block.parameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
  }

  /**
   * The loss of {@code batch} under {@code objective}, with the gradients of its total left in the parameters
   * (zeroed first: the engine adds each backward pass's gradients to the previous ones): the batch padded to its
   * longest window, one forward pass (dropout on when the config has any) and one backward pass, in a native memory
   * scope freed before returning. {@code teacher} computes the last hidden state a hidden-state term compares with
   * (forward only, without dropout or gradients, as transformers' teacher under {@code no_grad}); null when the
   * objective has none.
   */
  public QaObjective.Values backward(TrainBatch batch, QaObjective objective, QaModel teacher) {
    block.zeroGradients();
    int n = batch.size();
    try (NDManager scope = manager.newSubManager()) {
      NDList inputs = BatchedScoring.pad(scope, batch.inputIds(), batch.tokenTypeIds(),
          IntStream.range(0, n).toArray(), 0);
      int length = (int) inputs.head().getShape().get(1);
      NDArray mask = inputs.get(2).toType(DataType.FLOAT32, false);
      NDArray startPositions = scope.create(batch.startPositions());
      NDArray endPositions = scope.create(batch.endPositions());
      NDArray teacherStart = objective.needsTeacher() ? padded(scope, batch.teacherStart(), length) : null;
      NDArray teacherEnd = objective.needsTeacher() ? padded(scope, batch.teacherEnd(), length) : null;
      double hiddenWeight = objective.hiddenWeight();
      NDArray teacherHidden = null;
      if (hiddenWeight > 0) {
        if (teacher == null) {
          throw new IllegalArgumentException("a hidden-state term needs the teacher model");
        }
        teacherHidden = teacher.block.forward(new ParameterStore(scope, false), inputs, false).get(2);
      }
      try (Autograd autograd = Autograd.record()) {
        NDList out = block.forward(new ParameterStore(scope, false), inputs, true);
        QaObjective.Terms terms = objective.sums(out.get(0), out.get(1), mask, startPositions, endPositions,
            teacherStart, teacherEnd);
        NDArray total = terms.total();
        NDArray hidden = null;
        if (teacherHidden != null) {
          hidden = objective.hiddenSums(out.get(2), teacherHidden, mask);
          total = total.add(hidden.mul(Scalars.of(hidden, (float) hiddenWeight)));
        }
        autograd.backward(total);
        return new QaObjective.Values(total.getFloat(), terms.distill().getFloat(), terms.squad().getFloat(),
            hidden == null ? 0 : hidden.getFloat());
      }
    }
  }

  /** {@link #backward(TrainBatch, QaObjective, QaModel)} of an objective without a hidden-state term. */
  public QaObjective.Values backward(TrainBatch batch, QaObjective objective) {
    return backward(batch, objective, null);
  }

  private static NDArray padded(NDManager scope, List<float[]> rows, int length) {
    float[] values = new float[rows.size() * length];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, values, r * length, rows.get(r).length);
    }
    return scope.create(values, new Shape(rows.size(), length));
  }

  /**
   * A writer of values into some parameters, again and again without allocating: each parameter gets one
   * native-order direct buffer, and the PyTorch engine's {@code set} makes that buffer the tensor's storage (no
   * copy; the array keeps a reference to it), so later writes only fill the buffers. Setting storage keeps the
   * tensor, so its requires-gradient flag and gradient stay attached.
   */
  public Writer writer(List<String> names) {
    return new Writer(names);
  }

  /** See {@link #writer}. */
  public final class Writer {
    private final NDArray[] arrays;
    private final ByteBuffer[] buffers;

    private Writer(List<String> names) {
      arrays = new NDArray[names.size()];
      buffers = new ByteBuffer[names.size()];
      for (int i = 0; i < arrays.length; i++) {
        arrays[i] = parameter(names.get(i));
        buffers[i] = ByteBuffer.allocateDirect(Math.toIntExact(arrays[i].size()) * Float.BYTES)
            .order(ByteOrder.nativeOrder());
      }
    }

    /** Sets parameter {@code i} (of the names given) to {@code values[offset .. offset + its size)}. */
    public void write(int i, float[] values, int offset) {
      buffers[i].clear();
      buffers[i].asFloatBuffer().put(values, offset, Math.toIntExact(arrays[i].size()));
      arrays[i].set(buffers[i]);
    }
  }

  private NDArray parameter(String name) {
    Parameter p = block.parameters().get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter " + name + " in this " + config().modelType() + " model");
    }
    return p.getArray();
  }

  private static void copy(NDArray array, float[] out, int offset) {
    ByteBuffer bytes = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
    bytes.asFloatBuffer().get(out, offset, bytes.remaining() / Float.BYTES);
  }

  @Override
  public void close() {
    manager.close();
  }
}
