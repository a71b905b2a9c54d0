package io.qadistill.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The hyper-parameters of a question-answering encoder of any family, in BERT's terms (a family's
 * {@code config.json} keys map onto these: DistilBERT's {@code dim} is {@code hidden_size}, …). Validated when
 * built; read and written as the family's {@code config.json} ({@link #read}, {@link #write}).
 *
 * @param modelType config.json's {@code model_type}: bert, distilbert, roberta, xlm-roberta
 * @param typeVocabSize token-type embeddings; 0 for a family without them (DistilBERT)
 * @param padTokenId the padding id (RoBERTa's position ids count from it)
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int numHiddenLayers,
                          int numAttentionHeads, int intermediateSize, String hiddenAct, double hiddenDropoutProb,
                          double attentionProbsDropoutProb, int maxPositionEmbeddings, int typeVocabSize,
                          double layerNormEps, double initializerRange, int padTokenId) implements Serializable {

  /** Activations of the intermediate layer, by their {@code transformers} names. */
  public static final List<String> ACTIVATIONS = List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public ModelConfig {
    Families.of(modelType); // known family
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (typeVocabSize < 0 || (typeVocabSize == 0) != (Families.of(modelType).embedding(Family.Embedding.TOKEN_TYPE)
        == null)) {
      throw new IllegalArgumentException("type_vocab_size " + typeVocabSize + " does not fit a " + modelType
          + " model (" + (typeVocabSize == 0 ? "it has token types" : "it has none") + ")");
    }
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
          + numAttentionHeads);
    }
    if (hiddenAct == null || !ACTIVATIONS.contains(hiddenAct)) {
      throw new IllegalArgumentException("hidden_act " + hiddenAct + " is not supported; one of " + ACTIVATIONS);
    }
    probability("hidden_dropout_prob", hiddenDropoutProb);
    probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
    if (!(layerNormEps > 0 && layerNormEps < 1)) {
      throw new IllegalArgumentException("layer_norm_eps " + layerNormEps + " must be in (0, 1)");
    }
    if (!(initializerRange > 0)) {
      throw new IllegalArgumentException("initializer_range " + initializerRange + " must be > 0");
    }
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new IllegalArgumentException("pad_token_id " + padTokenId + " is outside the vocabulary of " + vocabSize);
    }
    if (maxLength(modelType, maxPositionEmbeddings, padTokenId) < 1) {
      throw new IllegalArgumentException("max_position_embeddings " + maxPositionEmbeddings + " leaves no position "
          + "after pad_token_id " + padTokenId);
    }
  }

  /** transformers' BertConfig defaults for what a config.json may leave out. */
  public static ModelConfig bert(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                                 int intermediateSize, int maxPositionEmbeddings, int typeVocabSize) {
    return new ModelConfig("bert", vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, "gelu",
        0.1, 0.1, maxPositionEmbeddings, typeVocabSize, 1e-12, 0.02, 0);
  }

  Family family() {
    return Families.of(modelType);
  }

  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /** The longest window: the positions there are (RoBERTa's start after {@code pad_token_id}). */
  public int maxLength() {
    return maxLength(modelType, maxPositionEmbeddings, padTokenId);
  }

  /** Whether the token type ids change the output (more than one token type). */
  public boolean takesTokenTypes() {
    return typeVocabSize > 1;
  }

  private static int maxLength(String modelType, int maxPositions, int pad) {
    return Families.of(modelType).positionsAfterPadding() ? maxPositions - pad - 1 : maxPositions;
  }

  /** A copy with other dropout probabilities (0 for deterministic training checks). */
  public ModelConfig withDropout(double hidden, double attention) {
    return new ModelConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        hiddenAct, hidden, attention, maxPositionEmbeddings, typeVocabSize, layerNormEps, initializerRange,
        padTokenId);
  }

  /** A copy with another depth. */
  public ModelConfig withLayers(int layers) {
    return new ModelConfig(modelType, vocabSize, hiddenSize, layers, numAttentionHeads, intermediateSize, hiddenAct,
        hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, layerNormEps,
        initializerRange, padTokenId);
  }

  /** A copy with another weight initialisation range. */
  public ModelConfig withInitializerRange(double range) {
    return new ModelConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, layerNormEps,
        range, padTokenId);
  }

  /**
   * The same sizes as a model of another family (DistilBERT from BERT: no token types; its LayerNorm epsilon is
   * fixed at 1e-12).
   */
  public ModelConfig as(String otherType) {
    Family other = Families.of(otherType);
    int types = other.embedding(Family.Embedding.TOKEN_TYPE) == null ? 0 : Math.max(1, typeVocabSize);
    return new ModelConfig(other.modelTypes().get(0), vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads,
        intermediateSize, hiddenAct, hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, types,
        other instanceof DistilBertFamily ? DistilBertFamily.LAYER_NORM_EPS : layerNormEps, initializerRange,
        padTokenId);
  }

  /**
   * Reads a config.json: {@code model_type} picks the family (bert when absent, as old BERT checkpoints), which
   * reads its own keys. A file that is not valid JSON, lacks a size, holds a bad value or names an unsupported
   * family is a {@link UsageException} naming the file.
   */
  public static ModelConfig read(Path file) {
    ObjectNode node;
    try {
      node = (ObjectNode) JSON.readTree(file.toFile());
    } catch (ClassCastException e) {
      throw new UsageException(file + ": config.json is not a JSON object");
    } catch (IOException e) {
      throw new UsageException(file + ": cannot read config.json: " + e.getMessage(), e);
    }
    if (node == null) {
      throw new UsageException(file + ": config.json is not a JSON object");
    }
    String type = node.path("model_type").asText("bert");
    if (!Families.supports(type)) {
      throw new UsageException(file + ": model_type is \"" + type + "\"; the supported ones are "
          + Families.modelTypes());
    }
    ConfigJson json = new ConfigJson(node, file.toString());
    try {
      return Families.of(type).readConfig(json, type);
    } catch (IllegalArgumentException e) {
      throw json.bad(e.getMessage());
    }
  }

  /** Writes config.json as transformers writes it for the family's {@code *ForQuestionAnswering}. */
  public void write(Path file) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.putArray("architectures").add(family().architecture(modelType));
    node.put("model_type", modelType);
    family().writeConfig(this, node);
    Files.writeString(file, JSON.writeValueAsString(node));
  }

  private static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " " + value + " must be > 0");
    }
  }

  private static void probability(String key, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(key + " " + value + " must be in [0, 1)");
    }
  }
}
