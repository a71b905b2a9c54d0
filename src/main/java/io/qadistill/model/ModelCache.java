package io.qadistill.model;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one piece of state shared between Spark tasks: loaded models per executor JVM, by model directory.
 *
 * <p>A task calls {@link #predictor(Path, QaPredictor.Options)}; the first call in a JVM loads the directory
 * (seconds, and the weights' native memory), every later call with the same directory, from any task thread,
 * gets the same loaded model. Models stay loaded until {@link #evict(Path)} or JVM exit: an executor runs
 * the tasks of one inference stage on one model, and reloading it per task or partition would cost more than
 * the inference itself. The directory must be on the executor's local file system (ship it with
 * {@code --files}/{@code SparkFiles} or a shared mount). Models in the cache are read-only: never train one.
 */
public final class ModelCache {
  private static final ConcurrentMap<Path, BertQaModel> MODELS = new ConcurrentHashMap<>();

  private ModelCache() {}

  /** The model of {@code dir}, loaded on first use in this JVM. */
  public static BertQaModel model(Path dir) {
    return MODELS.computeIfAbsent(dir.toAbsolutePath().normalize(), ModelDirectory::load);
  }

  /** A predictor over the cached model of {@code dir} (predictors are cheap; the model is shared). */
  public static QaPredictor predictor(Path dir, QaPredictor.Options options) {
    return new QaPredictor(model(dir), options);
  }

  /** Unloads the model of {@code dir}, if loaded, and frees its native memory; no task may still be using it. */
  public static void evict(Path dir) {
    BertQaModel model = MODELS.remove(dir.toAbsolutePath().normalize());
    if (model != null) {
      model.close();
    }
  }
}
