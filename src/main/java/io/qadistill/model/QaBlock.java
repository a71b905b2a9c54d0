package io.qadistill.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A question-answering encoder of any {@link Family} as a DJL block, computing what transformers' {@code
 * *ForQuestionAnswering} computes: embeddings (word + position + token type where the family has them, LayerNorm,
 * dropout), {@code num_hidden_layers} post-LayerNorm encoder layers (self-attention with the additive attention
 * mask, output projection + residual + LayerNorm, feed-forward with the config's activation, projection + residual
 * + LayerNorm), then {@code qa_outputs} (hidden → 2) split into start and end logits. Any sequence length up to the
 * config's {@link ModelConfig#maxLength()}; rows are padded to the batch's longest and masked.
 *
 * <p>Every parameter is a direct parameter of this block named as in transformers' state dict for the family
 * ({@code bert.embeddings.word_embeddings.weight}, {@code distilbert.transformer.layer.0.attention.q_lin.weight},
 * ..., {@code qa_outputs.bias}), with PyTorch's layouts (a linear weight is [out, in]), so safetensors files map
 * one to one.
 *
 * <p>Input: {@code input_ids}, {@code token_type_ids}, {@code attention_mask}, each [batch, length], int64 (the
 * mask 1 for real tokens, 0 for padding; the type ids are not read by a family without token types, nor with a
 * single token type). Output: start logits [batch, length], end logits [batch, length], last hidden state [batch,
 * length, hidden]. Dropout is active only when {@code training} is true.
 */
final class QaBlock extends AbstractBlock {
  private final ModelConfig config;
  private final Map<String, Shape> shapes = new LinkedHashMap<>();
  private final Map<String, Parameter> byName = new LinkedHashMap<>();
  private final Layer[] layers;
  private final Parameter wordEmb, posEmb, typeEmb, embLnW, embLnB, qaW, qaB;

  private record Layer(Parameter q, Parameter qb, Parameter k, Parameter kb, Parameter v, Parameter vb,
                       Parameter ao, Parameter aob, Parameter aLnW, Parameter aLnB,
                       Parameter in, Parameter inb, Parameter out, Parameter outb, Parameter lnW, Parameter lnB) {}

  /** A block with parameters declared but not yet set: call {@link #initialize(NDManager, long)} or load. */
  QaBlock(ModelConfig config) {
    this.config = config;
    Family f = config.family();
    long h = config.hiddenSize();
    wordEmb = param(f.embedding(Family.Embedding.WORD), Parameter.Type.WEIGHT, config.vocabSize(), h);
    posEmb = param(f.embedding(Family.Embedding.POSITION), Parameter.Type.WEIGHT, config.maxPositionEmbeddings(), h);
    String types = f.embedding(Family.Embedding.TOKEN_TYPE);
    typeEmb = types == null ? null : param(types, Parameter.Type.WEIGHT, config.typeVocabSize(), h);
    embLnW = param(f.embedding(Family.Embedding.NORM_WEIGHT), Parameter.Type.GAMMA, h);
    embLnB = param(f.embedding(Family.Embedding.NORM_BIAS), Parameter.Type.BETA, h);
    layers = new Layer[config.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) {
      Parameter[] p = new Parameter[Family.LayerPart.values().length];
      for (Family.LayerPart part : Family.LayerPart.values()) {
        p[part.ordinal()] = param(f.layer(i, part), part.type(), part.shape(config));
      }
      layers[i] = new Layer(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
          p[14], p[15]);
    }
    qaW = param(Family.QA_WEIGHT, Parameter.Type.WEIGHT, 2, h);
    qaB = param(Family.QA_BIAS, Parameter.Type.BIAS, 2);
  }

  private Parameter param(String name, Parameter.Type type, long... shape) {
    Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
    shapes.put(name, new Shape(shape));
    byName.put(name, p);
    return p;
  }

  ModelConfig config() {
    return config;
  }

  /** Every parameter by its transformers name, in state-dict order. */
  public Map<String, Parameter> parameters() {
    return Collections.unmodifiableMap(byName);
  }

  /** The shape each parameter must have, by name, in the same order. */
  public Map<String, Shape> shapes() {
    return Collections.unmodifiableMap(shapes);
  }

  /** A copy of one parameter's values, row-major. */
  public float[] get(String name) {
    return require(name).getArray().toFloatArray();
  }

  /**
   * Sets one parameter, row-major. The first call creates the array on {@code manager}'s side (see
   * {@link #setArray}); later calls copy into the existing array, so an attached gradient stays attached.
   */
  public void set(String name, float[] values) {
    Parameter p = require(name);
    long expected = shapes.get(name).size();
    if (values.length != expected) {
      throw new IllegalArgumentException(name + ": " + values.length + " values, expected " + expected
          + " for shape " + shapes.get(name));
    }
    p.getArray().set(FloatBuffer.wrap(values));
  }

  /**
   * Zeroes the gradients of every parameter that has one. The PyTorch engine adds each backward pass's
   * gradients to the previous ones, so a training step calls this before its backward pass.
   */
  public void zeroGradients() {
    for (Parameter p : byName.values()) {
      NDArray array = p.getArray();
      if (array != null && array.hasGradient()) {
        try (NDArray g = array.getGradient()) {
          g.subi(g);
        }
      }
    }
  }

  /** Gives a parameter its first value (an array of the declared shape, float32); the block keeps it. */
  public void setArray(String name, NDArray array) {
    Parameter p = require(name);
    if (!array.getShape().equals(shapes.get(name))) {
      throw new IllegalArgumentException(name + " has shape " + array.getShape() + ", expected " + shapes.get(name));
    }
    p.setArray(array.toType(DataType.FLOAT32, false));
  }

  private Parameter require(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter " + name + " in " + config.family().architecture(
          config.modelType()));
    }
    return p;
  }

  /**
   * Initialises every parameter not yet set, as transformers' {@code _init_weights} does: weights of linear
   * layers and embeddings normal(0, initializer_range), biases 0, LayerNorm weight 1, the padding row (pad_token_id)
   * of the word embeddings 0. Values come from {@code seed} alone (drawn in Java), so a seed always gives the
   * same model whatever the engine's random state.
   */
  public void initialize(NDManager manager, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      SplittableRandom random = root.split(); // one stream per parameter: skipping one leaves the others alike
      Parameter p = e.getValue();
      if (p.isInitialized()) {
        continue;
      }
      Shape shape = shapes.get(e.getKey());
      float[] values = new float[Math.toIntExact(shape.size())];
      switch (p.getType()) {
        case WEIGHT -> {
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) (nextGaussian(random) * config.initializerRange());
          }
          // nn.Embedding(padding_idx=pad_token_id) zeroes that row; RoBERTa's position embeddings have one too
          int h = config.hiddenSize();
          int pad = config.padTokenId();
          if (p == wordEmb || (p == posEmb && config.family().positionsAfterPadding())) {
            java.util.Arrays.fill(values, pad * h, (pad + 1) * h, 0f);
          }
        }
        case GAMMA -> java.util.Arrays.fill(values, 1f);
        default -> { } // biases and LayerNorm bias: 0
      }
      p.setArray(manager.create(values, shape));
    }
  }

  private static double nextGaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * The parameters' own arrays are used as they are, not through {@code ps}: a ParameterStore attaches the arrays
   * it hands out to its manager, which would tie the model's weights to the lifetime of a batch's scope.
   */
  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray inputIds = inputs.get(0);
    NDArray typeIds = inputs.get(1);
    NDArray mask = inputs.get(2);
    long batch = inputIds.getShape().get(0);
    long length = inputIds.getShape().get(1);
    if (length > config.maxLength()) {
      throw new IllegalArgumentException("sequence length " + length + " exceeds the " + config.maxLength()
          + " positions of max_position_embeddings " + config.maxPositionEmbeddings());
    }
    NDManager m = inputIds.getManager();
    float eps = (float) config.layerNormEps();
    float hiddenDrop = (float) config.hiddenDropoutProb();
    float attnDrop = (float) config.attentionProbsDropoutProb();
    Shape hiddenShape = new Shape(config.hiddenSize());

    NDArray x = emb(inputIds, wordEmb.getArray());
    if (config.takesTokenTypes()) {
      x = x.add(emb(typeIds, typeEmb.getArray()));
    } else if (typeEmb != null) {
      x = x.add(scoped(m, typeEmb.getArray().get(0))); // one token type: its row for every token, whatever the ids say
    }
    if (config.family().positionsAfterPadding()) {
      // RoBERTa: pad_token_id + the count of real tokens so far; padding at pad_token_id. From the mask rather
      // than from input_ids != pad_token_id: the same for every window (no real token is <pad>), whatever id the
      // padding holds.
      NDArray real = mask.toType(DataType.INT64, false);
      NDArray positions = real.cumSum(1).mul(real).add(config.padTokenId());
      x = x.add(emb(positions, posEmb.getArray()));
    } else {
      x = x.add(emb(m.arange(0, (int) length, 1, DataType.INT64), posEmb.getArray()).expandDims(0));
    }
    x = LayerNorm.layerNorm(x, hiddenShape, embLnW.getArray(),
        embLnB.getArray(), eps).head();
    x = dropout(x, hiddenDrop, training);

    // transformers' extended attention mask: 0 where attended, the dtype's minimum where masked.
    NDArray additiveMask = mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE)
        .reshape(batch, 1, 1, length);
    int heads = config.numAttentionHeads();
    int headSize = config.headSize();
    float scale = (float) (1.0 / Math.sqrt(headSize));
    for (Layer l : layers) {
      // Inference closes a layer's intermediates when the layer ends, not when the caller's manager closes: that
      // kept all layers' at once, about 1.5 GB for a batch of 4,096 positions (attention scores and probabilities
      // of 70 MB per layer at length 384), so a JVM scoring on two threads held GBs of native memory. Training
      // keeps them (autograd holds most of them anyway; closing a handle only drops this reference).
      try (NDScope scope = training ? null : new NDScope()) {
        // Query, key and value in one GEMM, with the query's 1/sqrt(head size) folded into its weight and bias
        // (hidden² values per layer instead of batch × length × hidden); built per call so gradients reach the
        // three parameters.
        NDArray s = Scalars.of(x, scale);
        NDArray qkvW = NDArrays.concat(new NDList(scoped(m, l.q.getArray().mul(s)), l.k.getArray(), l.v.getArray()));
        NDArray qkvB = NDArrays.concat(new NDList(scoped(m, l.qb.getArray().mul(s)), l.kb.getArray(),
            l.vb.getArray()));
        NDArray qkv = Linear.linear(x, qkvW, qkvB).head()
            .reshape(batch, length, 3, heads, headSize).transpose(2, 0, 3, 1, 4); // [3, batch, heads, length, size]
        NDArray scores = qkv.get(0).matMul(qkv.get(1).transpose(0, 1, 3, 2));
        scores.addi(additiveMask); // in place: matMul's gradient needs its inputs, not its output
        NDArray probs = dropout(scores.softmax(-1), attnDrop, training);
        NDArray context = probs.matMul(qkv.get(2)).transpose(0, 2, 1, 3).reshape(batch, length, config.hiddenSize());
        NDArray attended = dropout(linear(context, l.ao, l.aob), hiddenDrop, training);
        x = LayerNorm.layerNorm(attended.add(x), hiddenShape, l.aLnW.getArray(),
            l.aLnB.getArray(), eps).head();
        NDArray inner = activation(linear(x, l.in, l.inb));
        NDArray out = dropout(linear(inner, l.out, l.outb), hiddenDrop, training);
        x = LayerNorm.layerNorm(out.add(x), hiddenShape, l.lnW.getArray(),
            l.lnB.getArray(), eps).head();
        if (scope != null) {
          NDScope.unregister(x);
        }
      }
    }
    NDArray logits = linear(x, qaW, qaB);
    NDList split = logits.split(2, 2);
    return new NDList(split.get(0).squeeze(2), split.get(1).squeeze(2), x);
  }

  /**
   * An op on a parameter alone gives an array owned by the model's manager, which lives as long as the model;
   * moving it to the call's manager frees it with the call.
   */
  private static NDArray scoped(NDManager m, NDArray a) {
    a.attach(m);
    return a;
  }

  private static NDArray emb(NDArray ids, NDArray table) {
    return Embedding.embedding(ids, table, SparseFormat.DENSE).head();
  }

  private static NDArray linear(NDArray x, Parameter w, Parameter b) {
    return Linear.linear(x, w.getArray(), b.getArray()).head();
  }

  private static NDArray dropout(NDArray x, float rate, boolean training) {
    return training && rate > 0 ? Dropout.dropout(x, rate, true).head() : x;
  }

  private NDArray activation(NDArray x) {
    return switch (config.hiddenAct()) {
      case "gelu" -> Activation.gelu(x); // PyTorch's gelu: the exact erf form, as transformers' "gelu"
      case "relu" -> Activation.relu(x);
      default -> { // "gelu_new" / "gelu_pytorch_tanh": the tanh approximation
        NDArray inner = x.pow(Scalars.of(x, 3f)).mul(Scalars.of(x, 0.044715f)).add(x)
            .mul(Scalars.of(x, (float) Math.sqrt(2 / Math.PI))).tanh();
        yield x.mul(Scalars.of(x, 0.5f)).mul(inner.add(1f));
      }
    };
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {in, in, new Shape(in.get(0), in.get(1), config.hiddenSize())};
  }
}
