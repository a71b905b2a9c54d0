package io.qadistill.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one piece of state shared between Spark tasks: models opened for scoring per executor JVM, by model, runtime
 * and precision ({@link ScoringModel}) and device.
 *
 * <p>A task calls {@link #scorer(ScoringModel, Device, int)}; the first call in a JVM opens the model (seconds, and
 * the weights' native memory), every later call for the same model, from any task thread, gets the same instance:
 * for PyTorch one loaded copy per device the executor's tasks use (a task given a GPU asks for it on that GPU), for
 * ONNX Runtime one session per graph (and intra-op thread count), which the tasks share (its {@code run} is
 * thread-safe). Models stay open until {@link #evict(Path)} or JVM exit: an executor runs the tasks of one
 * inference stage on one model, and reopening it per task or partition would cost more than the inference itself.
 * The model must be on the executor's local file system (ship it with {@code --files}/{@code SparkFiles} or a
 * shared mount) and must not be rewritten in place while a JVM holds it. Models in the cache are read-only and
 * shared: never train or close one (evict does).
 */
public final class ModelCache {
  /** {@code threads} counts for ONNX Runtime only (a session's pool); PyTorch keeps it per calling thread. */
  private record Key(ScoringModel model, Device device, int threads) {}

  private static final ConcurrentMap<Key, QaScorer> MODELS = new ConcurrentHashMap<>();
  private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

  private ModelCache() {}

  /**
   * {@code model} for the calling task, opened on first use in this JVM, with {@code threads} intra-op threads:
   * ONNX Runtime's session gets them when it opens; for PyTorch on the CPU they are set on the calling thread
   * (PyTorch keeps the count per thread, so every task thread sets its own). {@code device} matters to PyTorch only
   * (null: the engine's default); ONNX Runtime runs on the CPU.
   */
  public static QaScorer scorer(ScoringModel model, Device device, int threads) {
    if (model.runtime() == ScoringRuntime.ONNX) {
      return MODELS.computeIfAbsent(new Key(model, Device.cpu(), threads), ModelCache::open);
    }
    Device on = device != null ? device : Engine.getInstance().defaultDevice();
    if (!on.isGpu() && threads > 0 && Runtimes.threads() != threads) {
      Runtimes.setThreads(threads);
    }
    return MODELS.computeIfAbsent(new Key(model, on, 0), ModelCache::open);
  }

  private static QaScorer open(Key key) {
    long t0 = System.nanoTime();
    QaScorer scorer = key.model().open(key.device(), key.threads());
    LOG.info("{}: opened by {} on {}{} for this JVM's tasks, in {} ms", key.model().model(), key.model().describe(),
        key.device(), key.threads() > 0 ? ", intra-op threads " + key.threads() : "",
        (System.nanoTime() - t0) / 1_000_000);
    return scorer;
  }

  /**
   * Unloads every model of {@code dir} (all runtimes, devices and graphs), if open, and frees their native memory;
   * no task may still be using them.
   */
  public static void evict(Path dir) {
    String normal = dir.toAbsolutePath().normalize().toString();
    for (Key key : MODELS.keySet()) {
      if (key.model().model().equals(normal)) {
        QaScorer model = MODELS.remove(key);
        if (model != null) {
          model.close();
        }
      }
    }
  }
}
