package io.qadistill.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The import-model job: a BERT encoder exported to ONNX (as by {@code torch.onnx.export} or optimum) → a model
 * directory. Weights come from the graph's initializers, named as transformers names them: initializers that
 * already carry a transformers name keep it; weights that the exporter stored as a {@code MatMul}/{@code Gemm}
 * input under a generated name ({@code onnx::MatMul_885}) take the name of the module in the node's name
 * ({@code /encoder/layer.0/attention/self/query/MatMul} → {@code encoder.layer.0.attention.self.query.weight}),
 * transposed from ONNX's [in, out] to PyTorch's [out, in]. The config comes from the shapes and the graph
 * (heads from the attention reshape, {@code layer_norm_eps} from the LayerNorm's epsilon constant, the
 * activation from Erf/Tanh nodes); dropout probabilities are not in an inference graph and take BERT's 0.1.
 * The encoder has no question-answering head: {@code qa_outputs} is initialised from the seed.
 */
public record OnnxImport(OnnxImport.Config config) implements Stage<OnnxImport.Result> {
  /** {@code onnx}: a file path, or {@link #CLASSPATH} for the bundled all-MiniLM-L6-v2. */
  public record Config(String onnx, Path out, Path tokenizer, long seed) {
    public Config {
      if (onnx == null || onnx.isBlank()) {
        throw new IllegalArgumentException("onnx is empty: give a .onnx file or \"" + CLASSPATH + "\"");
      }
      if (out == null) {
        throw new IllegalArgumentException("out (the model directory to write) is missing");
      }
    }
  }

  /** What was written: the directory, its config, how many tensors came from the graph, the head's seed. */
  public record Result(String out, ModelConfig config, int tensorsImported, List<String> initialised,
                       long headSeed) {}

  public static final String CLASSPATH = "classpath";

  private static final Logger LOG = LoggerFactory.getLogger(OnnxImport.class);
  private static final Pattern LAYER = Pattern.compile("layer[._](\\d+)[./]");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "import-model";
  }

  /** The ONNX file; none for the bundled model, which the project's version pins. */
  @Override
  public List<String> inputs() {
    return config.onnx().equals(CLASSPATH) ? List.of() : List.of(config.onnx());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out().toString());
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    return write(config, run.localStaging(config.out().toString()));
  }

  /**
   * The import alone, straight into {@code config.out()}: no staging, no provenance. For tests and benchmarks
   * that need a model directory; jobs run the stage.
   */
  public static Result write(Config config) {
    return write(config, config.out());
  }

  private static Result write(Config config, Path dir) {
    byte[] onnx;
    byte[] tokenizer;
    try {
      if (config.onnx().equals(CLASSPATH)) {
        try (InputStream in = MiniLmJar.open(MiniLmJar.ONNX_RESOURCE)) {
          onnx = in.readAllBytes();
        }
      } else {
        onnx = Files.readAllBytes(Path.of(config.onnx()));
      }
      tokenizer = readTokenizer(config);
    } catch (IOException e) {
      throw new UsageException("cannot read " + config.onnx() + ": " + e.getMessage(), e);
    }
    OnnxGraph graph;
    try {
      graph = OnnxGraph.parse(onnx);
    } catch (IOException e) {
      throw new UsageException(config.onnx() + " is not a readable ONNX model: " + e.getMessage(), e);
    }
    ModelConfig bert = inferConfig(graph, config.onnx());
    Map<String, Safetensors.Tensor> tensors = hfTensors(graph);
    LOG.info("{}: BERT with {} layers, hidden {}, {} heads, intermediate {}, {}, eps {}; {} weight tensors",
        config.onnx(), bert.numHiddenLayers(), bert.hiddenSize(), bert.numAttentionHeads(), bert.intermediateSize(),
        bert.hiddenAct(), bert.layerNormEps(), tensors.size());
    try (QaModel model = ModelDirectory.assemble(bert, tensors, tokenizer, config.seed(), config.onnx())) {
      ModelDirectory.save(model, dir);
    }
    List<String> initialised = List.of(Family.QA_WEIGHT, Family.QA_BIAS).stream()
        .filter(n -> !tensors.containsKey(n)).toList();
    return new Result(config.out().toString(), bert, tensors.size(), initialised, config.seed());
  }

  /**
   * The tokenizer.json to copy: {@code --tokenizer}, else the bundled one for the classpath model, else a
   * tokenizer.json beside the ONNX file. Its fixed truncation and padding (all-MiniLM-L6-v2 pads every input to
   * 128) are removed: windows are cut by featurize and padded per batch, and a fixed length there would silently
   * change both.
   */
  private static byte[] readTokenizer(Config config) throws IOException {
    byte[] raw;
    if (config.tokenizer() != null) {
      raw = Files.readAllBytes(config.tokenizer());
    } else if (config.onnx().equals(CLASSPATH)) {
      try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
        raw = in.readAllBytes();
      }
    } else {
      Path beside = Path.of(config.onnx()).toAbsolutePath().resolveSibling(ModelDirectory.TOKENIZER);
      if (!Files.isRegularFile(beside)) {
        throw new UsageException("no tokenizer.json beside " + config.onnx() + ": give one with --tokenizer");
      }
      raw = Files.readAllBytes(beside);
    }
    ObjectNode json = (ObjectNode) JSON.readTree(raw);
    if (!json.path("truncation").isNull() || !json.path("padding").isNull()) {
      LOG.info("tokenizer.json: removed its fixed truncation {} and padding {}", json.get("truncation"),
          json.get("padding"));
      json.putNull("truncation");
      json.putNull("padding");
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
  }

  static ModelConfig inferConfig(OnnxGraph graph, String source) {
    Map<String, OnnxGraph.Tensor> t = graph.tensors();
    long[] word = shapeEndingWith(t, "word_embeddings.weight", source);
    long[] pos = shapeEndingWith(t, "position_embeddings.weight", source);
    long[] type = shapeEndingWith(t, "token_type_embeddings.weight", source);
    int hidden = (int) word[1];
    int layers = 0;
    for (OnnxGraph.Node n : graph.nodes()) {
      Matcher m = LAYER.matcher(n.name());
      if (m.find()) {
        layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
      }
    }
    if (layers == 0) {
      throw new UsageException(source + ": no encoder layers found (node names like /encoder/layer.0/...)");
    }
    int intermediate = (int) shapeEndingWith(t, "layer.0.intermediate.dense.bias", source)[0];
    int heads = hidden / headSize(graph, hidden, source);
    return new ModelConfig("bert", (int) word[0], hidden, layers, heads, intermediate, activation(graph, source),
        0.1, 0.1, (int) pos[0], (int) type[0], layerNormEps(graph, source), 0.02, 0);
  }

  private static long[] shapeEndingWith(Map<String, OnnxGraph.Tensor> tensors, String suffix, String source) {
    return tensors.values().stream().filter(x -> x.name().endsWith(suffix)).findFirst()
        .orElseThrow(() -> new UsageException(source + ": no initializer named *" + suffix
            + "; is this a BERT encoder exported from transformers?"))
        .dims();
  }

  /** From the first attention reshape's target shape [batch, length, heads, head size], else the score scale. */
  private static int headSize(OnnxGraph graph, int hidden, String source) {
    Map<String, OnnxGraph.Node> producers = new HashMap<>();
    graph.nodes().forEach(n -> n.outputs().forEach(o -> producers.put(o, n)));
    for (OnnxGraph.Node n : graph.nodes()) {
      if (!n.opType().equals("Reshape") || !n.name().contains("attention/self") || n.inputs().size() < 2) {
        continue;
      }
      List<Float> values = new ArrayList<>();
      String shape = n.inputs().get(1);
      if (graph.tensors().containsKey(shape)) {
        for (float v : graph.tensors().get(shape).data()) {
          values.add(v);
        }
      } else if (producers.containsKey(shape) && producers.get(shape).opType().equals("Concat")) {
        for (String in : producers.get(shape).inputs()) {
          OnnxGraph.Tensor c = graph.tensors().get(in);
          if (c != null && c.data().length == 1) {
            values.add(c.data()[0]);
          }
        }
      }
      for (int i = 0; i + 1 < values.size(); i++) {
        float heads = values.get(i);
        float size = values.get(i + 1);
        if (heads > 0 && size > 0 && heads * size == hidden) {
          return (int) size;
        }
      }
    }
    for (OnnxGraph.Node n : graph.nodes()) {
      if (n.opType().equals("Div") && n.name().contains("attention/self")) {
        OnnxGraph.Tensor c = graph.tensors().get(n.inputs().get(1));
        if (c != null && c.data().length == 1) {
          return Math.round(c.data()[0] * c.data()[0]);
        }
      }
    }
    throw new UsageException(source + ": cannot tell the number of attention heads from the graph");
  }

  private static double layerNormEps(OnnxGraph graph, String source) {
    for (OnnxGraph.Node n : graph.nodes()) {
      if (n.opType().equals("LayerNormalization")) {
        return n.floats().getOrDefault("epsilon", 1e-5f);
      }
      // Decomposed LayerNorm: sqrt(mean(x²) + eps); the eps is the Add's scalar constant.
      if (n.opType().equals("Add") && n.name().endsWith("LayerNorm/Add")) {
        for (String in : n.inputs()) {
          OnnxGraph.Tensor c = graph.tensors().get(in);
          if (c != null && c.data().length == 1) {
            // The constant is a float32; BERT's eps values are powers of ten, so round to the one it stores.
            double eps = c.data()[0];
            double tenth = Math.pow(10, Math.round(Math.log10(eps)));
            return (float) tenth == c.data()[0] ? tenth : eps;
          }
        }
      }
    }
    throw new UsageException(source + ": no LayerNorm epsilon found in the graph");
  }

  private static String activation(OnnxGraph graph, String source) {
    Set<String> ops = new java.util.HashSet<>();
    graph.nodes().stream().filter(n -> n.name().contains("intermediate")).forEach(n -> ops.add(n.opType()));
    if (ops.contains("Erf") || ops.contains("Gelu")) {
      return "gelu";
    }
    if (ops.contains("Tanh") || ops.contains("FastGelu")) {
      return "gelu_new";
    }
    if (ops.contains("Relu")) {
      return "relu";
    }
    throw new UsageException(source + ": cannot tell the intermediate activation (no Erf, Tanh or Relu under "
        + "the intermediate layers)");
  }

  /** Initializers under transformers names, linear weights as [out, in]. */
  static Map<String, Safetensors.Tensor> hfTensors(OnnxGraph graph) {
    Map<String, OnnxGraph.Tensor> t = graph.tensors();
    Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
    Set<String> used = new java.util.HashSet<>();
    for (OnnxGraph.Node n : graph.nodes()) {
      boolean matmul = n.opType().equals("MatMul");
      boolean gemm = n.opType().equals("Gemm");
      if (!(matmul || gemm) || n.inputs().size() < 2 || !t.containsKey(n.inputs().get(1))) {
        continue;
      }
      OnnxGraph.Tensor w = t.get(n.inputs().get(1));
      if (w.dims().length != 2) {
        continue;
      }
      String module = moduleOf(n);
      boolean inOut = matmul || n.ints().getOrDefault("transB", new long[] {0})[0] == 0;
      out.put(nameFor(w.name(), module + ".weight"), inOut ? transposed(w) : new Safetensors.Tensor(w.dims(), w.data()));
      used.add(w.name());
      if (gemm && n.inputs().size() > 2 && t.containsKey(n.inputs().get(2))) {
        OnnxGraph.Tensor b = t.get(n.inputs().get(2));
        out.put(nameFor(b.name(), module + ".bias"), new Safetensors.Tensor(b.dims(), b.data()));
        used.add(b.name());
      }
    }
    for (OnnxGraph.Tensor x : t.values()) {
      boolean named = x.name().startsWith("bert.") || x.name().startsWith("embeddings.")
          || x.name().startsWith("encoder.") || x.name().startsWith("qa_outputs.");
      if (named && !used.contains(x.name()) && !x.name().endsWith("position_ids")) {
        out.put(x.name(), new Safetensors.Tensor(x.dims(), x.data()));
      }
    }
    return out;
  }

  /** "/encoder/layer.0/attention/self/query/MatMul" → "encoder.layer.0.attention.self.query". */
  private static String moduleOf(OnnxGraph.Node n) {
    String name = n.name().startsWith("/") ? n.name().substring(1) : n.name();
    int last = name.lastIndexOf('/');
    return (last < 0 ? name : name.substring(0, last)).replace('/', '.');
  }

  /** An initializer keeps a transformers-like name of its own; a generated one takes the module's. */
  private static String nameFor(String initializer, String fromModule) {
    return initializer.endsWith(".weight") || initializer.endsWith(".bias") ? initializer : fromModule;
  }

  private static Safetensors.Tensor transposed(OnnxGraph.Tensor w) {
    int rows = (int) w.dims()[0];
    int cols = (int) w.dims()[1];
    float[] data = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        data[c * rows + r] = w.data()[r * cols + c];
      }
    }
    return new Safetensors.Tensor(new long[] {cols, rows}, data);
  }
}
