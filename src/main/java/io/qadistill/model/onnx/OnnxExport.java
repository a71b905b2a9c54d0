package io.qadistill.model.onnx;

import io.qadistill.common.Provenance;
import io.qadistill.model.BertQaBlock;
import io.qadistill.model.BertQaConfig;
import io.qadistill.model.BertQaModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes a model's ONNX graph ({@link QaGraph}) to a file. */
public final class OnnxExport {
  public static final String FP32_FILE = "model.onnx";
  public static final String INT8_FILE = "model.int8.onnx";
  static final String PRODUCER = "qadistill";

  private OnnxExport() {}

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

  /** The weights of a BERT model by role. */
  public static EncoderWeights weights(BertQaModel model) {
    BertQaConfig c = model.config();
    BertQaBlock b = model.block();
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "bert.encoder.layer." + i + ".";
      layers.add(new EncoderWeights.Layer(b.get(p + "attention.self.query.weight"),
          b.get(p + "attention.self.query.bias"), b.get(p + "attention.self.key.weight"),
          b.get(p + "attention.self.key.bias"), b.get(p + "attention.self.value.weight"),
          b.get(p + "attention.self.value.bias"), b.get(p + "attention.output.dense.weight"),
          b.get(p + "attention.output.dense.bias"), b.get(p + "attention.output.LayerNorm.weight"),
          b.get(p + "attention.output.LayerNorm.bias"), b.get(p + "intermediate.dense.weight"),
          b.get(p + "intermediate.dense.bias"), b.get(p + "output.dense.weight"), b.get(p + "output.dense.bias"),
          b.get(p + "output.LayerNorm.weight"), b.get(p + "output.LayerNorm.bias")));
    }
    EncoderWeights.Sizes sizes = new EncoderWeights.Sizes(c.vocabSize(), c.hiddenSize(), c.numAttentionHeads(),
        c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize(), c.hiddenAct(), c.layerNormEps(), false, 0);
    return new EncoderWeights(sizes, b.get("bert.embeddings.word_embeddings.weight"),
        b.get("bert.embeddings.position_embeddings.weight"), b.get("bert.embeddings.token_type_embeddings.weight"),
        b.get("bert.embeddings.LayerNorm.weight"), b.get("bert.embeddings.LayerNorm.bias"), layers,
        b.get(BertQaBlock.QA_WEIGHT), b.get(BertQaBlock.QA_BIAS));
  }
}
