package io.qadistill.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * RoBERTa and XLM-RoBERTa ({@code RobertaForQuestionAnswering}, {@code XLMRobertaForQuestionAnswering}): BERT's
 * layout under {@code roberta.}, without a pooler; position ids count from {@code pad_token_id + 1} over the
 * non-padding tokens ({@code modeling_roberta.py}'s {@code create_position_ids_from_input_ids}), so windows are
 * at most {@code max_position_embeddings - pad_token_id - 1} long (512 for roberta-base's 514); one token type.
 */
final class RobertaFamily extends BertFamily {
  RobertaFamily() {
    super("roberta.");
  }

  @Override
  public List<String> modelTypes() {
    return List.of("roberta", "xlm-roberta");
  }

  @Override
  public String architecture(String modelType) {
    return modelType.equals("xlm-roberta") ? "XLMRobertaForQuestionAnswering" : "RobertaForQuestionAnswering";
  }

  @Override
  int defaultPadTokenId() {
    return 1;
  }

  @Override
  public boolean positionsAfterPadding() {
    return true;
  }

  @Override
  public void writeConfig(ModelConfig c, ObjectNode node) {
    super.writeConfig(c, node);
    // RobertaConfig's defaults: <s> 0, </s> 2 (the tokenizer's own ids live in tokenizer.json)
    node.put("bos_token_id", 0);
    node.put("eos_token_id", 2);
  }

  /** A RoBERTa teacher seeds RoBERTa students only: DistilRoBERTa is a shallower RoBERTa (model_type roberta). */
  @Override
  public boolean seeds(Family student) {
    return student == this;
  }
}
