package io.qadistill.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import java.util.List;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A question-answering teacher as TorchScript, for inference only: a {@code .pt} traced from transformers, e.g.
 * {@code torch.jit.trace(BertForQuestionAnswering.from_pretrained(dir, torchscript=True), (input_ids,
 * attention_mask, token_type_ids))}, loaded with DJL's PyTorch engine. Its forward takes input_ids, attention_mask
 * and token_type_ids (in that order, each [batch, length] int64, the mask 1 for real tokens) and returns start
 * and end logits first. The window length limit comes from a {@code config.json} beside the file
 * ({@code max_position_embeddings}), else BERT's 512. Its vocabulary is not known here: ids are not range-checked
 * before scoring (PyTorch refuses an id outside its embedding with an error; it does not crash the JVM).
 */
public final class TorchScriptQaModel implements QaScorer {
  public static final String EXTENSION = ".pt";
  private static final int BERT_MAX_LENGTH = 512;
  private static final Logger LOG = LoggerFactory.getLogger(TorchScriptQaModel.class);

  private final Model model;
  private final int maxLength;

  private TorchScriptQaModel(Model model, int maxLength) {
    this.model = model;
    this.maxLength = maxLength;
  }

  /** Whether {@code path} names a TorchScript file (a {@code .pt} that is not a directory). */
  static boolean isTorchScript(Path path) {
    return path.getFileName() != null && path.getFileName().toString().endsWith(EXTENSION)
        && !Files.isDirectory(path);
  }

  /** Loads {@code file} on {@code device} (null: the engine's default). */
  public static TorchScriptQaModel load(Path file, Device device) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException(file + " is not a TorchScript file (it does not exist or is a directory)");
    }
    Path config = file.toAbsolutePath().resolveSibling(ModelDirectory.CONFIG);
    int maxLength = Files.isRegularFile(config) ? ModelConfig.read(config).maxLength() : BERT_MAX_LENGTH;
    String name = file.getFileName().toString();
    Model model = Model.newInstance(name.substring(0, name.length() - EXTENSION.length()), device, "PyTorch");
    try {
      // a file traced on a GPU loads on the CPU too
      model.load(file.toAbsolutePath(), null, Map.of("mapLocation", "true"));
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new UsageException(file + " does not load as TorchScript (save it with torch.jit.trace(model, "
          + "(input_ids, attention_mask, token_type_ids)).save(path)): " + e.getMessage(), e);
    }
    LOG.info("{}: TorchScript question-answering model, windows up to {} tokens", file, maxLength);
    return new TorchScriptQaModel(model, maxLength);
  }

  @Override
  public Limits limits() {
    return new Limits(maxLength, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  @Override
  public List<Logits> score(List<int[]> inputIds, List<int[]> tokenTypeIds, Options options) {
    return BatchedScoring.score(this::logits, model.getNDManager().getDevice(), limits(), inputIds, tokenTypeIds,
        options);
  }

  private NDList logits(NDList inputs) {
    NDList ordered = new NDList(inputs.get(0), inputs.get(2), inputs.get(1)); // transformers' argument order
    NDList out = model.getBlock().forward(new ParameterStore(inputs.head().getManager(), false), ordered, false);
    if (out.size() < 2 || !out.get(0).getShape().equals(inputs.head().getShape())) {
      throw new UsageException(model.getName() + ".pt returned " + out.getShapes().length + " outputs of shapes "
          + java.util.Arrays.toString(out.getShapes()) + "; a question-answering model returns start and end "
          + "logits of shape " + inputs.head().getShape() + " first");
    }
    return new NDList(out.get(0), out.get(1));
  }

  @Override
  public void close() {
    model.close();
  }
}
