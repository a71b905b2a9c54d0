package io.qadistill.model.onnx;

import io.qadistill.common.AddedFiles;
import io.qadistill.common.Output;
import io.qadistill.common.Provenance;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The export-onnx stage: a model directory → its ONNX graph, {@value #FP32_FILE}, and with {@code int8} also
 * {@value #INT8_FILE} ({@link QaGraph}), each with its SHA-256 beside it, kept as {@link OnnxCache} keeps them (so
 * an export into the model directory itself is the graph that scoring there reuses). Graphs that are current are
 * kept; the others are made in the stage's staging directory and added to the output directory with the stage's
 * provenance as {@value #PROVENANCE} ({@link AddedFiles}: the directory's own {@code _provenance.json} is the record
 * of what made the model).
 */
public record OnnxExport(OnnxExport.Config config) implements Stage<OnnxExport.Result> {
  public static final String FP32_FILE = "model.onnx";
  public static final String INT8_FILE = "model.int8.onnx";
  public static final String PROVENANCE = "_provenance.export-onnx.json";
  static final String PRODUCER = "qadistill";

  /**
   * @param model the model directory
   * @param out where the graphs go (null: the model directory)
   * @param int8 also the int8 graph
   */
  public record Config(Path model, Path out, boolean int8) {
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

  @Override
  public String name() {
    return "export-onnx";
  }

  @Override
  public List<String> inputs() {
    return List.of(config.model().toString());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out().toString());
  }

  @Override
  public Output output(String target, Configuration hadoop) {
    return new AddedFiles(target, hadoop, PROVENANCE);
  }

  /**
   * Exports {@code config.model()}; a path that is not a model directory of a supported architecture is a
   * {@link UsageException} naming it.
   */
  @Override
  public Result execute(SparkSession spark, StageRun run) {
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
    String source = ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), model.toString());
    Path staging = run.localStaging(config.out().toString());
    List<Graph> graphs = new ArrayList<>();
    for (QaGraph.Precision p : config.int8() ? List.of(QaGraph.Precision.FP32, QaGraph.Precision.INT8)
        : List.of(QaGraph.Precision.FP32)) {
      Optional<OnnxCache.Entry> current = OnnxCache.current(config.out(), p, source);
      OnnxCache.Entry e = current.orElseGet(() -> OnnxCache.make(created(staging), p, source, load));
      Path file = OnnxCache.file(config.out(), p); // where it is once published
      graphs.add(new Graph(file.toString(), size(e.file()), e.sha256(), current.isEmpty()));
    }
    return new Result(model.toString(), graphs, (System.nanoTime() - t0) / 1e9);
  }

  private static Path created(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UsageException("cannot write into " + dir.getParent() + ": " + e.getMessage(), e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
