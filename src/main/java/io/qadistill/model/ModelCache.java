package io.qadistill.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one piece of state shared between Spark tasks: loaded models per executor JVM, by model directory or
 * TorchScript file ({@link QaScorer#load}) and device.
 *
 * <p>A task calls {@link #scorer(Path)}; the first call in a JVM loads the directory
 * (seconds, and the weights' native memory), every later call with the same directory, from any task thread,
 * gets the same loaded model. A task given a GPU asks for the model on that device
 * ({@link #scorer(Path, Device)}): one copy per device the executor's tasks use. Models stay loaded until
 * {@link #evict(Path)} or JVM exit: an executor runs the tasks of one inference stage on one model, and reloading
 * it per task or partition would cost more than the inference itself. The directory must be on the executor's
 * local file system (ship it with {@code --files}/{@code SparkFiles} or a shared mount) and must not be rewritten
 * in place while a JVM holds it. Models in the cache are read-only and shared: never train or close one (evict does).
 */
public final class ModelCache {
  private record Key(Path dir, Device device) {}

  private static final ConcurrentMap<Key, QaScorer> MODELS = new ConcurrentHashMap<>();

  private ModelCache() {}

  /** The model of {@code dir} on the runtime's default device, loaded on first use in this JVM. */
  public static QaScorer scorer(Path dir) {
    return scorer(dir, null);
  }

  /**
   * The model of {@code dir} (a model directory or a .pt file) on {@code device} (null: the engine's default),
   * loaded on first use in this JVM.
   */
  public static QaScorer scorer(Path dir, Device device) {
    Device on = device != null ? device : Engine.getInstance().defaultDevice();
    return MODELS.computeIfAbsent(new Key(dir.toAbsolutePath().normalize(), on),
        key -> QaScorer.load(key.dir(), key.device()));
  }

  /**
   * Unloads the models of {@code dir} on every device, if loaded, and frees their native memory; no task may
   * still be using them.
   */
  public static void evict(Path dir) {
    Path normal = dir.toAbsolutePath().normalize();
    for (Key key : MODELS.keySet()) {
      if (key.dir().equals(normal)) {
        QaScorer model = MODELS.remove(key);
        if (model != null) {
          model.close();
        }
      }
    }
  }
}
