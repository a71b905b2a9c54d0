package io.qadistill.teacher;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import io.qadistill.common.UsageException;
import io.qadistill.model.BertQaModel;
import io.qadistill.model.ModelDirectory;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM teacher cache: the one piece of state that Spark tasks share on purpose. An executor loads a
 * teacher the first time one of its tasks needs it and every later task of any job on that executor reuses it,
 * so a model is read once per executor and device, not once per task. The key is the directory, the fingerprint
 * the driver computed (a directory rewritten in place under a new fingerprint loads again) and the device (one
 * copy per GPU the executor's tasks were given).
 *
 * <p>Models stay loaded until the JVM exits (their native memory goes with it): an executor serves the teacher of
 * its job, so the cache holds one model per device in practice. {@link BertQaModel} inference is thread-safe, so
 * concurrent tasks share one copy. Do not rewrite a teacher directory in place while a job reads it.
 */
final class TeacherCache {
  private record Key(String dir, String fingerprint, Device device) {}

  private static final Logger LOG = LoggerFactory.getLogger(TeacherCache.class);
  private static final ConcurrentMap<Key, BertQaModel> MODELS = new ConcurrentHashMap<>();

  private TeacherCache() {}

  /** The teacher in {@code dir} on {@code device}, loaded on first use; a teacher that does not load is a UsageException. */
  static BertQaModel get(String dir, String fingerprint, Device device) {
    return MODELS.computeIfAbsent(new Key(dir, fingerprint, device), TeacherCache::load);
  }

  /**
   * Sets PyTorch's intra-op threads for this JVM (one setting per process) when it differs: a CPU executor's
   * tasks each get {@code spark.task.cpus} cores, and that many threads keep them busy without oversubscribing.
   */
  static void useThreads(int threads) {
    if (JniUtils.getNumThreads() != threads) {
      LOG.info("PyTorch intra-op threads: {} -> {}", JniUtils.getNumThreads(), threads);
      JniUtils.setNumThreads(threads);
    }
  }

  private static BertQaModel load(Key key) {
    long t0 = System.nanoTime();
    BertQaModel model;
    try {
      model = ModelDirectory.load(localPath(key.dir()), ModelDirectory.DEFAULT_HEAD_SEED, key.device());
    } catch (UsageException e) {
      throw new UsageException("teacher " + key.dir() + " does not load: " + e.getMessage(), e);
    } catch (RuntimeException | LinkageError e) {
      throw new UsageException("teacher " + key.dir() + " does not load on " + key.device() + ": " + e, e);
    }
    LOG.info("teacher {} ({}) loaded on {} in {} ms", key.dir(), key.fingerprint(), key.device(),
        (System.nanoTime() - t0) / 1_000_000);
    return model;
  }

  /** A local path or a file: URI as a path of this machine (the teacher must be on a file system every executor mounts). */
  static Path localPath(String dir) {
    return dir.startsWith("file:") ? Path.of(java.net.URI.create(dir)) : Path.of(dir);
  }
}
