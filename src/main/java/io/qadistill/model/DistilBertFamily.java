package io.qadistill.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * DistilBERT ({@code DistilBertForQuestionAnswering}, {@code modeling_distilbert.py}): word + position embeddings
 * (no token types) under {@code distilbert.embeddings.}, layers {@code distilbert.transformer.layer.<i>.} with
 * {@code attention.q_lin/k_lin/v_lin/out_lin}, {@code sa_layer_norm}, {@code ffn.lin1/lin2},
 * {@code output_layer_norm}; the same post-LayerNorm computation as BERT's layer. Its config speaks of {@code dim},
 * {@code n_layers}, {@code n_heads}, {@code hidden_dim}, {@code dropout}, {@code attention_dropout},
 * {@code activation}; its LayerNorm epsilon is fixed at 1e-12.
 */
final class DistilBertFamily implements Family {
  static final double LAYER_NORM_EPS = 1e-12;
  private static final String PREFIX = "distilbert.";

  @Override
  public List<String> modelTypes() {
    return List.of("distilbert");
  }

  @Override
  public String architecture(String modelType) {
    return "DistilBertForQuestionAnswering";
  }

  @Override
  public ModelConfig readConfig(ConfigJson json, String modelType) {
    if (json.bool("sinusoidal_pos_embds", false)) {
      // the weights would load (they hold the sinusoids), but training must then keep them frozen
      throw json.bad("sinusoidal_pos_embds true is not supported (hub DistilBERT checkpoints use learned "
          + "positions)");
    }
    int vocab = json.required("vocab_size");
    int dim = json.required("dim");
    int layers = json.required("n_layers");
    int heads = json.required("n_heads");
    int hidden = json.required("hidden_dim");
    int positions = json.required("max_position_embeddings");
    return new ModelConfig(modelType, vocab, dim, layers, heads, hidden, json.text("activation", "gelu"),
        json.number("dropout", 0.1), json.number("attention_dropout", 0.1), positions, 0, LAYER_NORM_EPS,
        json.number("initializer_range", 0.02), json.integer("pad_token_id", 0));
  }

  @Override
  public void writeConfig(ModelConfig c, ObjectNode node) {
    node.put("vocab_size", c.vocabSize());
    node.put("dim", c.hiddenSize());
    node.put("n_layers", c.numHiddenLayers());
    node.put("n_heads", c.numAttentionHeads());
    node.put("hidden_dim", c.intermediateSize());
    node.put("activation", c.hiddenAct());
    node.put("dropout", c.hiddenDropoutProb());
    node.put("attention_dropout", c.attentionProbsDropoutProb());
    node.put("max_position_embeddings", c.maxPositionEmbeddings());
    node.put("initializer_range", c.initializerRange());
    node.put("sinusoidal_pos_embds", false);
    node.put("qa_dropout", c.hiddenDropoutProb());
    node.put("pad_token_id", c.padTokenId());
  }

  @Override
  public String embedding(Embedding part) {
    return switch (part) {
      case WORD -> PREFIX + "embeddings.word_embeddings.weight";
      case POSITION -> PREFIX + "embeddings.position_embeddings.weight";
      case TOKEN_TYPE -> null;
      case NORM_WEIGHT -> PREFIX + "embeddings.LayerNorm.weight";
      case NORM_BIAS -> PREFIX + "embeddings.LayerNorm.bias";
    };
  }

  @Override
  public String layer(int layer, LayerPart part) {
    return PREFIX + "transformer.layer." + layer + "." + switch (part) {
      case QUERY_WEIGHT -> "attention.q_lin.weight";
      case QUERY_BIAS -> "attention.q_lin.bias";
      case KEY_WEIGHT -> "attention.k_lin.weight";
      case KEY_BIAS -> "attention.k_lin.bias";
      case VALUE_WEIGHT -> "attention.v_lin.weight";
      case VALUE_BIAS -> "attention.v_lin.bias";
      case ATTENTION_OUT_WEIGHT -> "attention.out_lin.weight";
      case ATTENTION_OUT_BIAS -> "attention.out_lin.bias";
      case ATTENTION_NORM_WEIGHT -> "sa_layer_norm.weight";
      case ATTENTION_NORM_BIAS -> "sa_layer_norm.bias";
      case FFN_IN_WEIGHT -> "ffn.lin1.weight";
      case FFN_IN_BIAS -> "ffn.lin1.bias";
      case FFN_OUT_WEIGHT -> "ffn.lin2.weight";
      case FFN_OUT_BIAS -> "ffn.lin2.bias";
      case OUTPUT_NORM_WEIGHT -> "output_layer_norm.weight";
      case OUTPUT_NORM_BIAS -> "output_layer_norm.bias";
    };
  }

  /** A bare DistilBertModel's names get the prefix. */
  @Override
  public String canonicalName(String name) {
    return name.startsWith("embeddings.") || name.startsWith("transformer.") ? PREFIX + name : name;
  }

  /** The masked-LM head of a pre-training checkpoint (vocab_transform, vocab_layer_norm, vocab_projector). */
  @Override
  public boolean unused(String name) {
    return name.endsWith("position_ids") || name.startsWith("vocab_");
  }
}
