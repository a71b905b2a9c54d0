package io.qadistill.train;

import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Small BERT QA models with the real bert-base-uncased vocabulary, so that the training tests run in seconds. */
final class TinyModels {
  private TinyModels() {}

  /** hidden 32, 2 heads, intermediate 64, {@code layers} layers, no dropout (deterministic steps). */
  static ModelConfig config(int layers) {
    return ModelConfig.bert(30522, 32, layers, 2, 64, 512, 2).withDropout(0, 0);
  }

  static byte[] tokenizer() {
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A random model of {@link #config} saved as a model directory at {@code dir}, its weights drawn with standard
   * deviation 0.5 instead of transformers' 0.02, so that its logits are far from uniform (a teacher with opinions).
   */
  static Path save(Path dir, int layers, long seed) {
    ModelConfig c = config(layers);
    ModelConfig wide = c.withInitializerRange(0.5);
    try (QaModel model = QaModel.initialize(wide, tokenizer(), seed)) {
      ModelDirectory.save(model, dir);
    }
    return dir;
  }
}
