package io.qadistill.model;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An architecture family, as transformers' {@code models/<family>}: its {@code config.json} keys, the names of its
 * {@code *ForQuestionAnswering} weights, what its embeddings take, and which students it can seed. Every family
 * runs the same post-LayerNorm encoder ({@link QaBlock}); what differs is said here. Families are looked up by
 * {@code model_type} in {@link Families}: a new family is a class implementing this and one line there.
 */
interface Family {
  /** The parts of the embeddings, in state-dict order; a family without token types has no {@code TOKEN_TYPE}. */
  enum Embedding { WORD, POSITION, TOKEN_TYPE, NORM_WEIGHT, NORM_BIAS }

  /** The parts of one encoder layer, in state-dict order. */
  enum LayerPart {
    QUERY_WEIGHT, QUERY_BIAS, KEY_WEIGHT, KEY_BIAS, VALUE_WEIGHT, VALUE_BIAS, ATTENTION_OUT_WEIGHT,
    ATTENTION_OUT_BIAS, ATTENTION_NORM_WEIGHT, ATTENTION_NORM_BIAS, FFN_IN_WEIGHT, FFN_IN_BIAS, FFN_OUT_WEIGHT,
    FFN_OUT_BIAS, OUTPUT_NORM_WEIGHT, OUTPUT_NORM_BIAS;

    Parameter.Type type() {
      String n = name();
      return n.contains("NORM_WEIGHT") ? Parameter.Type.GAMMA : n.contains("NORM_BIAS") ? Parameter.Type.BETA
          : n.endsWith("WEIGHT") ? Parameter.Type.WEIGHT : Parameter.Type.BIAS;
    }

    /** PyTorch's shape of the part (a linear weight is [out, in]). */
    long[] shape(ModelConfig c) {
      long h = c.hiddenSize();
      long ff = c.intermediateSize();
      return switch (this) {
        case FFN_IN_WEIGHT -> new long[] {ff, h};
        case FFN_IN_BIAS -> new long[] {ff};
        case FFN_OUT_WEIGHT -> new long[] {h, ff};
        case QUERY_WEIGHT, KEY_WEIGHT, VALUE_WEIGHT, ATTENTION_OUT_WEIGHT -> new long[] {h, h};
        default -> new long[] {h};
      };
    }
  }

  String QA_WEIGHT = "qa_outputs.weight";
  String QA_BIAS = "qa_outputs.bias";

  /** The {@code model_type} values of this family (the first is the canonical one). */
  List<String> modelTypes();

  /** transformers' class for {@code config.architectures}, e.g. {@code BertForQuestionAnswering}. */
  String architecture(String modelType);

  /** The config from a config.json of this family; keys left out take transformers' defaults. */
  ModelConfig readConfig(ConfigJson json, String modelType);

  /** Writes {@code config}'s keys as transformers writes them for this family. */
  void writeConfig(ModelConfig config, ObjectNode node);

  /** The weight name of an embedding part, or null where the family has none. */
  String embedding(Embedding part);

  /** The weight name of a part of encoder layer {@code layer}. */
  String layer(int layer, LayerPart part);

  /**
   * Whether position ids count from {@code pad_token_id + 1} over the non-padding tokens (RoBERTa's
   * {@code create_position_ids_from_input_ids}) rather than from 0.
   */
  default boolean positionsAfterPadding() {
    return false;
  }

  /** A name as transformers maps it on loading (a bare encoder's names get the prefix; old LayerNorm names). */
  String canonicalName(String name);

  /** Whether a tensor of a checkpoint is one this family's QA model does not use (pooler, pre-training heads). */
  boolean unused(String name);

  /** Whether a student of {@code student}'s family can start from a model of this one (layers copied). */
  default boolean seeds(Family student) {
    return student == this;
  }

  /** Biases and LayerNorm weights: transformers' examples exempt them from weight decay. */
  default boolean exemptFromDecay(String name) {
    return name.endsWith("bias") || name.endsWith("norm.weight") || name.endsWith("LayerNorm.weight");
  }

  /** The names of a config's parameters, in state-dict order (as transformers' state dict lists them). */
  default List<String> parameterNames(ModelConfig config) {
    List<String> names = new java.util.ArrayList<>();
    for (Embedding e : Embedding.values()) {
      String name = embedding(e);
      if (name != null) {
        names.add(name);
      }
    }
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      for (LayerPart p : LayerPart.values()) {
        names.add(layer(i, p));
      }
    }
    names.add(QA_WEIGHT);
    names.add(QA_BIAS);
    return names;
  }
}
