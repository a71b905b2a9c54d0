package io.qadistill.model;

import io.qadistill.model.Family.Embedding;
import io.qadistill.model.Family.LayerPart;
import io.qadistill.model.onnx.EncoderWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights by role, for its ONNX graph ({@link io.qadistill.model.onnx.QaGraph}): where a family's weight
 * names ({@link Family}) meet the graph's roles, so that the graph knows no family.
 */
public final class OnnxWeights {
  private OnnxWeights() {}

  public static EncoderWeights of(QaModel model) {
    ModelConfig c = model.config();
    Family f = c.family();
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      int layer = i;
      java.util.function.Function<LayerPart, float[]> w = part -> model.get(f.layer(layer, part));
      layers.add(new EncoderWeights.Layer(w.apply(LayerPart.QUERY_WEIGHT), w.apply(LayerPart.QUERY_BIAS),
          w.apply(LayerPart.KEY_WEIGHT), w.apply(LayerPart.KEY_BIAS), w.apply(LayerPart.VALUE_WEIGHT),
          w.apply(LayerPart.VALUE_BIAS), w.apply(LayerPart.ATTENTION_OUT_WEIGHT),
          w.apply(LayerPart.ATTENTION_OUT_BIAS), w.apply(LayerPart.ATTENTION_NORM_WEIGHT),
          w.apply(LayerPart.ATTENTION_NORM_BIAS), w.apply(LayerPart.FFN_IN_WEIGHT), w.apply(LayerPart.FFN_IN_BIAS),
          w.apply(LayerPart.FFN_OUT_WEIGHT), w.apply(LayerPart.FFN_OUT_BIAS), w.apply(LayerPart.OUTPUT_NORM_WEIGHT),
          w.apply(LayerPart.OUTPUT_NORM_BIAS)));
    }
    String types = f.embedding(Embedding.TOKEN_TYPE);
    EncoderWeights.Sizes sizes = new EncoderWeights.Sizes(c.vocabSize(), c.hiddenSize(), c.numAttentionHeads(),
        c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize(), c.hiddenAct(), c.layerNormEps(),
        f.positionsAfterPadding(), c.padTokenId());
    return new EncoderWeights(sizes, model.get(f.embedding(Embedding.WORD)), model.get(f.embedding(Embedding.POSITION)),
        types == null ? null : model.get(types), model.get(f.embedding(Embedding.NORM_WEIGHT)),
        model.get(f.embedding(Embedding.NORM_BIAS)), layers, model.get(Family.QA_WEIGHT), model.get(Family.QA_BIAS));
  }
}
