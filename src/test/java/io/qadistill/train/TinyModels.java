package io.qadistill.train;

import io.qadistill.model.BertQaConfig;
import io.qadistill.model.BertQaModel;
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
  static BertQaConfig config(int layers) {
    return BertQaConfig.withDefaults(30522, 32, layers, 2, 64, 512, 2).withDropout(0, 0);
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
    BertQaConfig c = config(layers);
    BertQaConfig wide = new BertQaConfig(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
        c.intermediateSize(), c.hiddenAct(), 0, 0, c.maxPositionEmbeddings(), c.typeVocabSize(), c.layerNormEps(), 0.5);
    try (BertQaModel model = BertQaModel.initialize(wide, tokenizer(), seed)) {
      ModelDirectory.save(model, dir);
    }
    return dir;
  }
}
