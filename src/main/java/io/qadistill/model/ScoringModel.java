package io.qadistill.model;

import ai.djl.Device;
import io.qadistill.model.onnx.OnnxCache;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.model.onnx.QaGraph;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model made ready for scoring on the driver, as the executors open it: the model (a model directory or a
 * TorchScript file), the runtime {@link ScoringRuntime#resolve} chose for it and, for ONNX Runtime, the graph the
 * driver made or found current ({@link OnnxExport#graph}) with the SHA-256 it saw. Executors only open what this
 * names ({@link ModelCache#scorer(ScoringModel, Device, int)}); they never export. Paths are kept as text, since
 * a {@link Path} does not serialize.
 *
 * @param model the model directory or .pt file, a local path every executor reads at the same place
 * @param runtime ONNX or PYTORCH, never AUTO
 * @param int8 the int8 graph rather than the float32 one (ONNX only)
 * @param graph the ONNX graph's file (null for PyTorch)
 * @param graphSha256 its SHA-256 as the driver saw it (null for PyTorch)
 */
public record ScoringModel(String model, ScoringRuntime runtime, boolean int8, String graph, String graphSha256)
    implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(ScoringModel.class);

  public ScoringModel {
    if (runtime == ScoringRuntime.AUTO) {
      throw new IllegalArgumentException("resolve the runtime before making a ScoringModel");
    }
    if ((runtime == ScoringRuntime.ONNX) != (graph != null)) {
      throw new IllegalArgumentException("a graph goes with the onnx runtime only: " + runtime + ", " + graph);
    }
  }

  /**
   * Resolves {@code requested} for {@code model} and tasks with or without GPUs, and for ONNX Runtime makes the
   * graph when it is missing or stale (fingerprinted by {@code source}, the weights' fingerprint, asked for only
   * then). Runs on the driver, before the job.
   */
  public static ScoringModel prepare(Path model, ScoringRuntime requested, boolean int8, boolean gpuTasks,
      Supplier<String> source) {
    ScoringRuntime runtime = requested.resolve(model, gpuTasks, int8);
    String path = model.toAbsolutePath().normalize().toString();
    ScoringModel prepared;
    if (runtime == ScoringRuntime.PYTORCH) {
      prepared = new ScoringModel(path, runtime, false, null, null);
    } else {
      OnnxCache.Entry graph = OnnxExport.graph(model, int8 ? QaGraph.Precision.INT8 : QaGraph.Precision.FP32,
          source.get());
      prepared = new ScoringModel(path, runtime, int8, graph.file().toAbsolutePath().toString(), graph.sha256());
    }
    LOG.info("{} is scored by {} (--runtime {})", model, prepared.describe(), requested);
    return prepared;
  }

  /** What scores: "onnx (model.onnx)", "onnx (model.int8.onnx)" or "pytorch". */
  public String describe() {
    return runtime == ScoringRuntime.ONNX ? runtime + " (" + Path.of(graph).getFileName() + ")" : runtime.toString();
  }

  /**
   * Opens the model for scoring, not shared: the caller closes it ({@link ModelCache} keeps one per executor
   * JVM). PyTorch loads it on {@code device} (null: the engine's default); ONNX Runtime first checks that the graph
   * still holds the bytes the driver saw, then opens one session with {@code threads} intra-op threads, which
   * every thread may share.
   */
  public QaScorer open(Device device, int threads) {
    if (runtime == ScoringRuntime.PYTORCH) {
      return QaScorer.load(Path.of(model), device);
    }
    OnnxCache.Entry entry = new OnnxCache.Entry(Path.of(graph), graphSha256);
    OnnxCache.verify(entry);
    return OnnxQaSession.open(entry.file(), threads);
  }
}
