package io.qadistill.model.onnx;

import io.qadistill.common.Provenance;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The export-onnx job: a model directory → its ONNX graph, {@value #FP32_FILE}, and with {@code int8} also
 * {@value #INT8_FILE} ({@link QaGraph}), each with its SHA-256 beside it, kept as {@link OnnxCache} keeps them (so
 * an export into the model directory itself is the graph that scoring there reuses).
 */
public final class OnnxExport {
  public static final String FP32_FILE = "model.onnx";
  public static final String INT8_FILE = "model.int8.onnx";
  static final String PRODUCER = "qadistill";

  /**
   * @param model the model directory
   * @param out where the graphs go (null: the model directory)
   * @param source the fingerprint of the model's weights, recorded in the graphs' metadata; asked for once the
   *     directory is known to hold weights
   */
  public record Config(Path model, Path out, boolean int8, Supplier<String> source) {
    public Config {
      if (model == null) {
        throw new IllegalArgumentException("model (the model directory to export) is missing");
      }
      out = out != null ? out : model;
    }
  }

  /** One graph: its file, size and SHA-256, and whether it was written now (false: it was current). */
  public record Graph(String file, long bytes, String sha256, boolean written) {}

  public record Result(String model, List<Graph> graphs, double seconds) {
    /** Whether every graph was current already. */
    public boolean reused() {
      return graphs.stream().noneMatch(Graph::written);
    }
  }

  private OnnxExport() {}

  /**
   * Exports {@code config.model()}; a path that is not a model directory of a supported architecture is a
   * {@link UsageException} naming it.
   */
  public static Result run(Config config) {
    long t0 = System.nanoTime();
    Path model = config.model();
    if (Files.isRegularFile(model)) {
      throw new UsageException(model + " is a file, not a model directory: a TorchScript teacher (.pt) holds a "
          + "traced program, not weights by name, so it cannot be exported; export the model directory it was "
          + "traced from (config.json, model.safetensors, tokenizer.json)");
    }
    Supplier<EncoderWeights> load = weightsOf(model, "cannot export " + model);
    if (!Files.isRegularFile(model.resolve(ModelDirectory.WEIGHTS))
        || !Files.isRegularFile(model.resolve(ModelDirectory.CONFIG))) {
      load.get(); // not a model directory: the loader says what is missing
    }
    String source = config.source().get();
    List<Graph> graphs = new ArrayList<>();
    for (QaGraph.Precision p : config.int8() ? List.of(QaGraph.Precision.FP32, QaGraph.Precision.INT8)
        : List.of(QaGraph.Precision.FP32)) {
      try {
        Path file = OnnxCache.file(config.out(), p);
        FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        OnnxCache.Entry e = OnnxCache.ensure(config.out(), p, source, load);
        graphs.add(new Graph(e.file().toString(), Files.size(e.file()), e.sha256(),
            !Files.getLastModifiedTime(e.file()).equals(before)));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return new Result(model.toString(), graphs, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The graph of {@code precision} in the model directory {@code model}, whose weights have the fingerprint
   * {@code source}: the cached one when current, else made now from the weights (loaded only then) and kept there
   * ({@link OnnxCache}). What scoring with ONNX Runtime opens; a directory that does not load is a
   * {@link UsageException} naming it.
   */
  public static OnnxCache.Entry graph(Path model, QaGraph.Precision precision, String source) {
    return OnnxCache.ensure(model, precision, source,
        weightsOf(model, "cannot make the ONNX graph of " + model + " to score with ONNX Runtime"));
  }

  /** The model directory's weights, loaded on the first call; a load error starts with {@code failure}. */
  private static Supplier<EncoderWeights> weightsOf(Path model, String failure) {
    EncoderWeights[] weights = new EncoderWeights[1];
    return () -> {
      if (weights[0] == null) {
        try (QaModel m = ModelDirectory.load(model)) {
          weights[0] = OnnxWeights.of(m);
        } catch (UsageException e) {
          throw new UsageException(failure + ": " + e.getMessage(), e);
        }
      }
      return weights[0];
    };
  }

  /**
   * Writes the graph of {@code weights} to {@code file}, first beside it then moved into place, so that a reader
   * never sees a half-written file; {@code metadata} goes into the model's metadata_props.
   */
  public static void write(EncoderWeights weights, QaGraph.Precision precision, boolean hiddenState, Path file,
                           Map<String, String> metadata) {
    OnnxBuilder graph = QaGraph.build(weights, precision, hiddenState);
    metadata.forEach(graph::metadata);
    Path dir = file.toAbsolutePath().getParent();
    Path part = dir.resolve(file.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      Files.createDirectories(dir);
      try (OutputStream out = Files.newOutputStream(part)) {
        graph.writeTo(out, "qa_" + precision.name().toLowerCase(), PRODUCER, Provenance.projectVersion());
      }
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // the original failure is the one to report
      }
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

}
