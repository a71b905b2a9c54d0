package io.qadistill.model;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model that gives start and end logits for windows: our {@link BertQaModel} (a model directory, trainable) or
 * a {@link TorchScriptQaModel} (a {@code .pt} traced from transformers, inference only). {@link QaPredictor} and
 * {@link ModelCache} take either, so a teacher can be given as a model directory or as a {@code .pt} file.
 */
public interface QaModel extends AutoCloseable {
  /**
   * Start and end logits, each [batch, length], for {@code inputs} as {@link QaPredictor#pad} makes them
   * (input_ids, token_type_ids, attention_mask, each [batch, length] int64); the results belong to the inputs'
   * manager. Thread-safe; the caller turns gradients off.
   */
  NDList logits(NDList inputs);

  /** The longest window it takes (max_position_embeddings). */
  int maxLength();

  /** The manager that owns the weights (and knows their device). */
  NDManager manager();

  @Override
  void close();

  /** A {@code .pt} file as a TorchScript model, anything else as a model directory; on the default device. */
  static QaModel load(Path path) {
    return load(path, null);
  }

  /** As {@link #load(Path)}, with the weights on {@code device} (null: the engine's default). */
  static QaModel load(Path path, Device device) {
    if (path.getFileName() != null && path.getFileName().toString().endsWith(TorchScriptQaModel.EXTENSION)
        && !Files.isDirectory(path)) {
      return TorchScriptQaModel.load(path, device);
    }
    return ModelDirectory.load(path, ModelDirectory.DEFAULT_HEAD_SEED, device);
  }
}
