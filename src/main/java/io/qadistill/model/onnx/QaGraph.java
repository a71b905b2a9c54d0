package io.qadistill.model.onnx;

import static io.qadistill.model.onnx.OnnxBuilder.FLOAT;
import static io.qadistill.model.onnx.OnnxBuilder.INT64;
import static io.qadistill.model.onnx.OnnxBuilder.MICROSOFT;

import java.util.List;

/**
 * The ONNX graph of a BERT-family question-answering model, as ONNX Runtime runs it fastest on a CPU: its fused
 * operators ({@code com.microsoft} {@code Attention}, {@code SkipLayerNormalization}, {@code BiasGelu} or
 * {@code FastGelu}) written directly, instead of the standard-operator pattern an exporter emits and ONNX Runtime
 * then has to recognise (it fuses LayerNorm and GELU in the all-MiniLM-L6-v2 file of the Maven jar, not its
 * attention nor the residual adds). These operators are in every ONNX Runtime build (C/C++, Python, Java, C#,
 * Node.js and WebAssembly, which transformers.js uses).
 *
 * <p>Inputs {@value #INPUT_IDS}, {@value #ATTENTION_MASK} and, for models with several token types,
 * {@value #TOKEN_TYPE_IDS}, each int64 [batch, sequence] with both dimensions dynamic; outputs {@value #START} and
 * {@value #END}, float [batch, sequence], and on request the encoder's output {@value #HIDDEN} [batch, sequence,
 * hidden]. Padding (mask 0) is masked in attention, so a row's logits do not depend on its batch's padding.
 *
 * <p>{@link Precision#INT8}: ONNX Runtime's dynamic quantization, written directly: each encoder MatMul takes int8
 * weights quantized symmetrically per output channel ({@link Int8Matrix}) and quantizes its input to uint8 per
 * tensor at run time ({@code DynamicQuantizeMatMul}; for the attention's input projection
 * {@code DynamicQuantizeLinear} then {@code QAttention}); the embeddings, LayerNorms, biases, the QA head and
 * the feed-forward output projection stay float32. That projection's input is the GELU's output, one-sided and
 * heavy-tailed, which one uint8 scale per batch resolves poorly: quantized, it cost a fine-tuned MiniLM 1.03 F1 on
 * dev-v1.1 (docs/benchmarks.md, "int8 quality"). The int8 kernels use VNNI dot products where the CPU has them (AVX512-VNNI, AVX-VNNI); on an x86 CPU
 * without them ONNX Runtime's u8×s8 kernel can saturate, which ONNX Runtime's documentation discusses under
 * "reduce_range".
 */
public final class QaGraph {
  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";
  public static final String START = "start_logits";
  public static final String END = "end_logits";
  public static final String HIDDEN = "last_hidden_state";
  /** Metadata keys of the model's limits (QaScorer.Limits). */
  public static final String MAX_LENGTH = "qadistill.max_length", VOCAB_SIZE = "qadistill.vocab_size",
      TYPE_VOCAB_SIZE = "qadistill.type_vocab_size";
  /** The standard operators' version: 17 brings LayerNormalization. */
  static final long OPSET = 17;

  /** float32 throughout, or int8 weights in the encoder's MatMuls but the feed-forward output's. */
  public enum Precision { FP32, INT8 }

  private static final String BATCH = "batch";
  private static final String SEQUENCE = "sequence";

  private final OnnxBuilder g = new OnnxBuilder(OPSET).opset(MICROSOFT, 1);
  private final EncoderWeights.Sizes sizes;
  private final Precision precision;
  private final float eps;

  private QaGraph(EncoderWeights weights, Precision precision) {
    this.sizes = weights.sizes();
    this.precision = precision;
    this.eps = (float) sizes.layerNormEps();
  }

  /** The graph of {@code weights}; with {@code hiddenState}, {@value #HIDDEN} is an output too. */
  public static OnnxBuilder build(EncoderWeights weights, Precision precision, boolean hiddenState) {
    QaGraph graph = new QaGraph(weights, precision);
    graph.emit(weights, hiddenState);
    return graph.g;
  }

  private void emit(EncoderWeights w, boolean hiddenState) {
    g.input(INPUT_IDS, INT64, BATCH, SEQUENCE).input(ATTENTION_MASK, INT64, BATCH, SEQUENCE)
        .metadata(MAX_LENGTH, String.valueOf(sizes.maxLength())).metadata(VOCAB_SIZE, String.valueOf(sizes.vocab()))
        .metadata(TYPE_VOCAB_SIZE, String.valueOf(sizes.typeVocab()));
    if (sizes.takesTokenTypes()) {
      g.input(TOKEN_TYPE_IDS, INT64, BATCH, SEQUENCE);
    }
    String x = embeddings(w);
    String mask = g.node("Cast", "", List.of(ATTENTION_MASK), "to", (long) OnnxBuilder.INT32);
    for (int i = 0; i < w.layers().size(); i++) {
      x = layer(x, mask, w.layers().get(i), "layer." + i + ".");
    }
    int h = sizes.hidden();
    String[] heads = {START, END};
    for (int k = 0; k < 2; k++) {
      float[] row = new float[h];
      System.arraycopy(w.qaWeight(), k * h, row, 0, h);
      String dot = g.node("MatMul", "", List.of(x, g.floats("qa_outputs." + heads[k] + ".weight", row, h)));
      String bias = g.floats("qa_outputs." + heads[k] + ".bias", new float[] {w.qaBias()[k]});
      g.nodeNamed(heads[k] + "_add", "Add", "", List.of(dot, bias), List.of(heads[k]));
      g.output(heads[k], FLOAT, BATCH, SEQUENCE);
    }
    if (hiddenState) {
      g.nodeNamed(HIDDEN + "_identity", "Identity", "", List.of(x), List.of(HIDDEN));
      g.output(HIDDEN, FLOAT, BATCH, SEQUENCE, (long) h);
    }
  }

  /**
   * Word + position (+ token type) embeddings, then LayerNorm. A family with one token type (RoBERTa) adds that
   * type's row to every token whatever the ids: it is folded into the position table here.
   */
  private String embeddings(EncoderWeights w) {
    int h = sizes.hidden();
    float[] positions = w.position().clone();
    if (w.tokenType() != null && !sizes.takesTokenTypes()) {
      for (int i = 0; i < positions.length; i++) {
        positions[i] += w.tokenType()[i % h];
      }
    }
    String table = g.floats("embeddings.position_embeddings.weight", positions, sizes.maxPositions(), h);
    String word = g.node("Gather", "",
        List.of(g.floats("embeddings.word_embeddings.weight", w.word(), sizes.vocab(), h), INPUT_IDS));
    String position;
    if (sizes.positionsAfterPadding()) {
      // RoBERTa: pad_token_id + the count of real tokens up to each one (counted from the mask), padding at
      // pad_token_id itself, as transformers' create_position_ids_from_input_ids
      String counts = g.node("CumSum", "", List.of(ATTENTION_MASK, g.int64s("axis_1", new long[] {1})));
      String ids = g.node("Add", "", List.of(g.node("Mul", "", List.of(counts, ATTENTION_MASK)),
          g.int64s("pad_token_id", new long[] {sizes.padTokenId()})));
      position = g.node("Gather", "", List.of(table, ids));
    } else {
      // positions 0 .. sequence-1: the table's first rows, added to every row of the batch
      String length = g.node("Gather", "", List.of(g.node("Shape", "", List.of(INPUT_IDS)),
          g.int64s("index_1", new long[] {1}, 1)));
      position = g.node("Slice", "", List.of(table, g.int64s("zero", new long[] {0}, 1), length,
          g.int64s("axis_0", new long[] {0}, 1)));
    }
    String sum = g.node("Add", "", List.of(word, position));
    if (sizes.takesTokenTypes()) {
      String types = g.node("Gather", "", List.of(
          g.floats("embeddings.token_type_embeddings.weight", w.tokenType(), sizes.typeVocab(), h), TOKEN_TYPE_IDS));
      sum = g.node("Add", "", List.of(sum, types));
    }
    return g.node("LayerNormalization", "", List.of(sum, g.floats("embeddings.LayerNorm.weight", w.normWeight(), h),
        g.floats("embeddings.LayerNorm.bias", w.normBias(), h)), "axis", -1L, "epsilon", eps);
  }

  /** Self-attention + residual + LayerNorm, then the feed-forward block + residual + LayerNorm. */
  private String layer(String x, String mask, EncoderWeights.Layer l, String p) {
    int h = sizes.hidden();
    int ff = sizes.intermediate();
    String attention = attention(x, mask, l, p);
    String attended = g.node("SkipLayerNormalization", MICROSOFT, List.of(
        linear(attention, l.attentionOut(), h, h, p + "attention.output.dense.weight"), x,
        g.floats(p + "attention.output.LayerNorm.weight", l.attentionNormWeight(), h),
        g.floats(p + "attention.output.LayerNorm.bias", l.attentionNormBias(), h),
        g.floats(p + "attention.output.dense.bias", l.attentionOutBias(), h)), "epsilon", eps);
    String inner = linear(attended, l.ffnIn(), ff, h, p + "intermediate.dense.weight");
    String bias = g.floats(p + "intermediate.dense.bias", l.ffnInBias(), ff);
    String activated = switch (sizes.activation()) {
      case "gelu" -> g.node("BiasGelu", MICROSOFT, List.of(inner, bias));
      case "gelu_new", "gelu_pytorch_tanh" -> g.node("FastGelu", MICROSOFT, List.of(inner, bias));
      case "relu" -> g.node("Relu", "", List.of(g.node("Add", "", List.of(inner, bias))));
      default -> throw new IllegalArgumentException("activation " + sizes.activation() + " has no ONNX form here");
    };
    return g.node("SkipLayerNormalization", MICROSOFT, List.of(
        linear(activated, l.ffnOut(), h, ff, p + "output.dense.weight", false), attended,
        g.floats(p + "output.LayerNorm.weight", l.outputNormWeight(), h),
        g.floats(p + "output.LayerNorm.bias", l.outputNormBias(), h),
        g.floats(p + "output.dense.bias", l.ffnOutBias(), h)), "epsilon", eps);
  }

  /**
   * ONNX Runtime's {@code Attention}: query, key and value in one GEMM (weights [hidden, 3 × hidden]), scores
   * scaled by 1/sqrt(head size), the raw 0/1 mask, softmax, the heads concatenated.
   */
  private String attention(String x, String mask, EncoderWeights.Layer l, String p) {
    int h = sizes.hidden();
    float[] weight = new float[3 * h * h];
    System.arraycopy(l.query(), 0, weight, 0, h * h);
    System.arraycopy(l.key(), 0, weight, h * h, h * h);
    System.arraycopy(l.value(), 0, weight, 2 * h * h, h * h); // [3h, h] in PyTorch's [out, in] layout
    float[] bias = new float[3 * h];
    System.arraycopy(l.queryBias(), 0, bias, 0, h);
    System.arraycopy(l.keyBias(), 0, bias, h, h);
    System.arraycopy(l.valueBias(), 0, bias, 2 * h, h);
    String b = g.floats(p + "attention.qkv.bias", bias, 3L * h);
    long heads = sizes.heads();
    if (precision == Precision.FP32) {
      String w = g.floats(p + "attention.qkv.weight", transposed(weight, 3 * h, h), h, 3L * h);
      return g.node("Attention", MICROSOFT, List.of(x, w, b, mask), "num_heads", heads);
    }
    Int8Matrix q = Int8Matrix.quantize(weight, 3 * h, h);
    List<String> quantized = g.nodeWithOutputs("DynamicQuantizeLinear", "", List.of(x), 3);
    return g.node("QAttention", MICROSOFT, List.of(quantized.get(0),
        g.int8s(p + "attention.qkv.weight_int8", q.values(), h, 3L * h), b, quantized.get(1),
        g.floats(p + "attention.qkv.weight_scale", q.scales(), 3L * h), mask, quantized.get(2)), "num_heads", heads);
  }

  /** {@code x} times a PyTorch weight [out, in] (ONNX's MatMul takes it as [in, out]), without the bias. */
  private String linear(String x, float[] weight, int out, int in, String name) {
    return linear(x, weight, out, in, name, true);
  }

  /** As {@link #linear(String, float[], int, int, String)}; {@code quantizable} false keeps it float32. */
  private String linear(String x, float[] weight, int out, int in, String name, boolean quantizable) {
    if (precision == Precision.FP32 || !quantizable) {
      return g.node("MatMul", "", List.of(x, g.floats(name, transposed(weight, out, in), in, out)));
    }
    Int8Matrix q = Int8Matrix.quantize(weight, out, in);
    return g.node("DynamicQuantizeMatMul", MICROSOFT, List.of(x, g.int8s(name + "_int8", q.values(), in, out),
        g.floats(name + "_scale", q.scales(), out)));
  }

  /** A row-major [rows, cols] matrix as row-major [cols, rows]. */
  static float[] transposed(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }
}
