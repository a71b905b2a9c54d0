package io.qadistill.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
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
 * The hyper-parameters of a BERT question-answering model, as in the {@code config.json} that {@code transformers}
 * writes for {@code BertForQuestionAnswering} (same key names; keys this model does not use are ignored when
 * read). Validated when built.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BertQaConfig(
    @JsonProperty("vocab_size") int vocabSize,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("num_hidden_layers") int numHiddenLayers,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("intermediate_size") int intermediateSize,
    @JsonProperty("hidden_act") String hiddenAct,
    @JsonProperty("hidden_dropout_prob") double hiddenDropoutProb,
    @JsonProperty("attention_probs_dropout_prob") double attentionProbsDropoutProb,
    @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
    @JsonProperty("type_vocab_size") int typeVocabSize,
    @JsonProperty("layer_norm_eps") double layerNormEps,
    @JsonProperty("initializer_range") double initializerRange) implements Serializable {

  /** Activations of the intermediate layer, by their {@code transformers} names. */
  public static final List<String> ACTIVATIONS = List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu");

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public BertQaConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
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
  }

  /** transformers' BertConfig defaults for what a config.json may leave out. */
  public static BertQaConfig withDefaults(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                                          int intermediateSize, int maxPositionEmbeddings, int typeVocabSize) {
    return new BertQaConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, "gelu",
        0.1, 0.1, maxPositionEmbeddings, typeVocabSize, 1e-12, 0.02);
  }

  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /** A copy with other dropout probabilities (0 for deterministic training checks). */
  public BertQaConfig withDropout(double hidden, double attention) {
    return new BertQaConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        hidden, attention, maxPositionEmbeddings, typeVocabSize, layerNormEps, initializerRange);
  }

  /**
   * Reads a config.json. Keys left out take transformers' BertConfig defaults, except the sizes, which must be
   * there. A file that is not valid JSON, lacks a size or holds a bad value is a {@link UsageException}.
   */
  public static BertQaConfig read(Path file) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
      for (String key : List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
          "intermediate_size", "max_position_embeddings", "type_vocab_size")) {
        if (!node.hasNonNull(key)) {
          throw new UsageException(file + ": config.json lacks \"" + key + "\"");
        }
      }
      node.putIfAbsent("hidden_act", node.textNode("gelu"));
      node.putIfAbsent("hidden_dropout_prob", node.numberNode(0.1));
      node.putIfAbsent("attention_probs_dropout_prob", node.numberNode(0.1));
      node.putIfAbsent("layer_norm_eps", node.numberNode(1e-12));
      node.putIfAbsent("initializer_range", node.numberNode(0.02));
      if (node.has("model_type") && !"bert".equals(node.get("model_type").asText())) {
        throw new UsageException(file + ": model_type is " + node.get("model_type") + "; only \"bert\" models load");
      }
      return JSON.treeToValue(node, BertQaConfig.class);
    } catch (ClassCastException e) {
      throw new UsageException(file + ": config.json is not a JSON object");
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new UsageException(file + ": bad config.json: " + cause.getMessage(), e);
    } catch (IOException e) {
      throw new UsageException(file + ": cannot read config.json: " + e.getMessage(), e);
    }
  }

  /** Writes config.json as transformers writes it for BertForQuestionAnswering. */
  public void write(Path file) throws IOException {
    ObjectNode node = JSON.valueToTree(this);
    node.putArray("architectures").add("BertForQuestionAnswering");
    node.put("model_type", "bert");
    node.put("position_embedding_type", "absolute");
    node.put("pad_token_id", 0);
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
