package io.qadistill.model.onnx;

import java.util.List;

/**
 * A post-LayerNorm transformer encoder with a question-answering head, as the BERT family computes it (BERT,
 * DistilBERT, RoBERTa): its sizes and its weights by role, each row-major in PyTorch's layout (a linear weight is
 * [out, in]). What {@link QaGraph} turns into an ONNX graph; the model package fills it from a model of any family.
 *
 * @param tokenType the token-type table [types, hidden], or null for a family without one (DistilBERT)
 */
public record EncoderWeights(Sizes sizes, float[] word, float[] position, float[] tokenType, float[] normWeight,
                             float[] normBias, List<Layer> layers, float[] qaWeight, float[] qaBias) {

  /**
   * @param activation transformers' {@code hidden_act}: gelu, gelu_new, gelu_pytorch_tanh or relu
   * @param positionsAfterPadding RoBERTa's position ids: {@code padTokenId} + the count of real tokens so far
   */
  public record Sizes(int vocab, int hidden, int heads, int intermediate, int maxPositions, int typeVocab,
                      String activation, double layerNormEps, boolean positionsAfterPadding, int padTokenId) {
    /** The longest window: the positions there are (RoBERTa's start after {@code padTokenId}). */
    public int maxLength() {
      return positionsAfterPadding ? maxPositions - padTokenId - 1 : maxPositions;
    }

    /** Whether token type ids change the output: the graph then takes {@code token_type_ids}. */
    public boolean takesTokenTypes() {
      return typeVocab > 1;
    }
  }

  /** One encoder layer's weights. */
  public record Layer(float[] query, float[] queryBias, float[] key, float[] keyBias, float[] value,
                      float[] valueBias, float[] attentionOut, float[] attentionOutBias, float[] attentionNormWeight,
                      float[] attentionNormBias, float[] ffnIn, float[] ffnInBias, float[] ffnOut, float[] ffnOutBias,
                      float[] outputNormWeight, float[] outputNormBias) {}
}
