package io.qadistill.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded BERT question-answering model: its block with every parameter set, the native memory that holds the
 * weights (freed by {@link #close()}), and the tokenizer.json it was trained with (kept as bytes so that a save
 * does not depend on the directory it came from still being there). Load and save with {@link ModelDirectory}.
 *
 * <p>Not thread-safe for training; for inference from many threads use {@link QaPredictor}.
 */
public final class BertQaModel implements QaModel {
  private final NDManager manager;
  private final BertQaBlock block;
  private final byte[] tokenizerJson;

  BertQaModel(NDManager manager, BertQaBlock block, byte[] tokenizerJson) {
    this.manager = manager;
    this.block = block;
    this.tokenizerJson = tokenizerJson.clone();
  }

  /** A new model with transformers' initialisation from {@code seed} (see {@link BertQaBlock#initialize}). */
  public static BertQaModel initialize(BertQaConfig config, byte[] tokenizerJson, long seed) {
    NDManager manager = NDManager.newBaseManager();
    BertQaBlock block = new BertQaBlock(config);
    block.initialize(manager, seed);
    return new BertQaModel(manager, block, tokenizerJson);
  }

  public BertQaConfig config() {
    return block.config();
  }

  public BertQaBlock block() {
    return block;
  }

  /** Start and end logits from the block, without dropout. */
  @Override
  public NDList logits(NDList inputs) {
    NDList out = block.forward(new ParameterStore(inputs.head().getManager(), false), inputs, false);
    return new NDList(out.get(0), out.get(1));
  }

  @Override
  public int maxLength() {
    return block.config().maxPositionEmbeddings();
  }

  /** The manager that owns the weights; arrays made on it live as long as the model. */
  @Override
  public NDManager manager() {
    return manager;
  }

  public byte[] tokenizerJson() {
    return tokenizerJson.clone();
  }

  /** A copy of every parameter's values by transformers name, in state-dict order. */
  public Map<String, Safetensors.Tensor> stateDict() {
    Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : block.parameters().entrySet()) {
      out.put(e.getKey(), new Safetensors.Tensor(block.shapes().get(e.getKey()).getShape(),
          e.getValue().getArray().toFloatArray()));
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
