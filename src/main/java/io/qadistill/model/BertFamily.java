package io.qadistill.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * BERT ({@code BertForQuestionAnswering}): word + position (from 0) + token-type embeddings under {@code bert.},
 * {@code encoder.layer.<i>.attention.self.query}, … as in transformers' {@code modeling_bert.py}. RoBERTa has the
 * same layout under another prefix ({@link RobertaFamily}).
 */
class BertFamily implements Family {
  private final String prefix;

  BertFamily() {
    this("bert.");
  }

  BertFamily(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public List<String> modelTypes() {
    return List.of("bert");
  }

  @Override
  public String architecture(String modelType) {
    return "BertForQuestionAnswering";
  }

  /** transformers' defaults of the keys a config.json may leave out (pad_token_id, layer_norm_eps). */
  int defaultPadTokenId() {
    return 0;
  }

  @Override
  public ModelConfig readConfig(ConfigJson json, String modelType) {
    String positions = json.text("position_embedding_type", "absolute");
    if (!positions.equals("absolute")) {
      throw json.bad("position_embedding_type \"" + positions + "\" is not supported; only \"absolute\"");
    }
    int vocab = json.required("vocab_size");
    int hidden = json.required("hidden_size");
    int layers = json.required("num_hidden_layers");
    int heads = json.required("num_attention_heads");
    int intermediate = json.required("intermediate_size");
    int positionsMax = json.required("max_position_embeddings");
    int types = json.required("type_vocab_size");
    return new ModelConfig(modelType, vocab, hidden, layers, heads, intermediate, json.text("hidden_act", "gelu"),
        json.number("hidden_dropout_prob", 0.1), json.number("attention_probs_dropout_prob", 0.1), positionsMax,
        types, json.number("layer_norm_eps", 1e-12), json.number("initializer_range", 0.02),
        json.integer("pad_token_id", defaultPadTokenId()));
  }

  @Override
  public void writeConfig(ModelConfig c, ObjectNode node) {
    node.put("vocab_size", c.vocabSize());
    node.put("hidden_size", c.hiddenSize());
    node.put("num_hidden_layers", c.numHiddenLayers());
    node.put("num_attention_heads", c.numAttentionHeads());
    node.put("intermediate_size", c.intermediateSize());
    node.put("hidden_act", c.hiddenAct());
    node.put("hidden_dropout_prob", c.hiddenDropoutProb());
    node.put("attention_probs_dropout_prob", c.attentionProbsDropoutProb());
    node.put("max_position_embeddings", c.maxPositionEmbeddings());
    node.put("type_vocab_size", c.typeVocabSize());
    node.put("layer_norm_eps", c.layerNormEps());
    node.put("initializer_range", c.initializerRange());
    node.put("position_embedding_type", "absolute");
    node.put("pad_token_id", c.padTokenId());
  }

  @Override
  public String embedding(Embedding part) {
    return prefix + "embeddings." + switch (part) {
      case WORD -> "word_embeddings.weight";
      case POSITION -> "position_embeddings.weight";
      case TOKEN_TYPE -> "token_type_embeddings.weight";
      case NORM_WEIGHT -> "LayerNorm.weight";
      case NORM_BIAS -> "LayerNorm.bias";
    };
  }

  @Override
  public String layer(int layer, LayerPart part) {
    return prefix + "encoder.layer." + layer + "." + switch (part) {
      case QUERY_WEIGHT -> "attention.self.query.weight";
      case QUERY_BIAS -> "attention.self.query.bias";
      case KEY_WEIGHT -> "attention.self.key.weight";
      case KEY_BIAS -> "attention.self.key.bias";
      case VALUE_WEIGHT -> "attention.self.value.weight";
      case VALUE_BIAS -> "attention.self.value.bias";
      case ATTENTION_OUT_WEIGHT -> "attention.output.dense.weight";
      case ATTENTION_OUT_BIAS -> "attention.output.dense.bias";
      case ATTENTION_NORM_WEIGHT -> "attention.output.LayerNorm.weight";
      case ATTENTION_NORM_BIAS -> "attention.output.LayerNorm.bias";
      case FFN_IN_WEIGHT -> "intermediate.dense.weight";
      case FFN_IN_BIAS -> "intermediate.dense.bias";
      case FFN_OUT_WEIGHT -> "output.dense.weight";
      case FFN_OUT_BIAS -> "output.dense.bias";
      case OUTPUT_NORM_WEIGHT -> "output.LayerNorm.weight";
      case OUTPUT_NORM_BIAS -> "output.LayerNorm.bias";
    };
  }

  /** transformers' renames: a bare encoder's names get the prefix; old checkpoints' LayerNorm gamma/beta. */
  @Override
  public String canonicalName(String name) {
    String n = name;
    if (n.startsWith("embeddings.") || n.startsWith("encoder.") || n.startsWith("pooler.")) {
      n = prefix + n;
    }
    if (n.endsWith(".gamma")) {
      n = n.substring(0, n.length() - 6) + ".weight";
    } else if (n.endsWith(".beta")) {
      n = n.substring(0, n.length() - 5) + ".bias";
    }
    return n;
  }

  /** The pooler, the pre-training heads ({@code cls.*}, {@code lm_head.*}) and the position_ids buffer. */
  @Override
  public boolean unused(String name) {
    return name.endsWith("position_ids") || name.startsWith(prefix + "pooler.") || name.startsWith("cls.")
        || name.startsWith("lm_head.");
  }

  /** A BERT teacher seeds BERT students and DistilBERT ones (the DistilBERT paper's initialisation). */
  @Override
  public boolean seeds(Family student) {
    return student == this || student instanceof DistilBertFamily;
  }
}
