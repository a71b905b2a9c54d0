package io.qadistill.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model directory in the Hugging Face layout: {@code config.json} (its {@code model_type} names the family),
 * {@code model.safetensors} (names as transformers' {@code *ForQuestionAnswering} of that family) and
 * {@code tokenizer.json}. What this class saves loads in transformers as it is
 * ({@code AutoModelForQuestionAnswering.from_pretrained(dir)}), and a checkpoint of a supported family from a model
 * hub loads here as it is.
 *
 * <p>Loading accepts what transformers accepts for the family: names without its prefix (a checkpoint of the bare
 * encoder, e.g. {@code BertModel}), the old {@code gamma}/{@code beta} LayerNorm names, and it skips what the QA
 * model has no use for (the pooler, the pre-training heads, the {@code position_ids} buffer), logging what it
 * skipped. A missing {@code qa_outputs} head is initialised from a
 * seed and logged. Any other missing, extra or mis-shaped tensor is a {@link UsageException} naming it.
 * Pickle checkpoints ({@code pytorch_model.bin}) are refused, never unpickled.
 */
public final class ModelDirectory {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String TOKENIZER = "tokenizer.json";
  /** The seed of a missing qa_outputs head when the caller gives none. */
  public static final long DEFAULT_HEAD_SEED = 42;

  private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);

  private ModelDirectory() {}

  /** Loads a model directory; a missing qa_outputs head gets {@link #DEFAULT_HEAD_SEED}. */
  public static QaModel load(Path dir) {
    return load(dir, DEFAULT_HEAD_SEED);
  }

  /** Loads a model directory; a missing qa_outputs head is initialised from {@code headSeed}. */
  public static QaModel load(Path dir, long headSeed) {
    return load(dir, headSeed, null);
  }

  /**
   * Loads a model directory with its weights on {@code device} (null: the engine's default device), e.g. the
   * GPU a Spark task was given.
   */
  public static QaModel load(Path dir, long headSeed, Device device) {
    if (!Files.isDirectory(dir)) {
      throw new UsageException(dir + " is not a model directory (it does not exist or is a file)");
    }
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      for (String pickle : List.of("pytorch_model.bin", "model.pt", "model.pth")) {
        if (Files.exists(dir.resolve(pickle))) {
          throw new UsageException(dir.resolve(pickle) + " is a pickle checkpoint, which is never loaded (unpickling "
              + "runs arbitrary code); convert it to " + WEIGHTS + " with transformers: "
              + "AutoModelForQuestionAnswering.from_pretrained(dir).save_pretrained(dir, safe_serialization=True), "
              + "or with safetensors: safetensors.torch.save_file(torch.load(\"" + pickle + "\", weights_only=True), "
              + "\"" + WEIGHTS + "\") (in Python, where you trust the file)");
        }
      }
      throw new UsageException(dir + " has no " + WEIGHTS + "; a model directory holds " + CONFIG + ", " + WEIGHTS
          + " and " + TOKENIZER);
    }
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new UsageException(dir + " has no " + CONFIG);
    }
    ModelConfig config = ModelConfig.read(configFile);
    Path tokenizerFile = dir.resolve(TOKENIZER);
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new UsageException(dir + " has no " + TOKENIZER + "; write one with transformers: "
          + "AutoTokenizer.from_pretrained(dir).save_pretrained(dir)");
    }
    Map<String, Safetensors.Tensor> tensors;
    byte[] tokenizer;
    try {
      tensors = Safetensors.read(weights);
      tokenizer = Files.readAllBytes(tokenizerFile);
    } catch (IOException e) {
      throw new UsageException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    return assemble(config, tensors, tokenizer, headSeed, weights.toString(), device);
  }

  /**
   * Builds a model from tensors named as transformers names them for the config's family (see the class comment
   * for what is accepted);
   * {@code source} names where they came from in error messages.
   */
  public static QaModel assemble(ModelConfig config, Map<String, Safetensors.Tensor> tensors,
                                     byte[] tokenizerJson, long headSeed, String source) {
    return assemble(config, tensors, tokenizerJson, headSeed, source, null);
  }

  /** As {@link #assemble(ModelConfig, Map, byte[], long, String)}, on {@code device} (null: the default). */
  public static QaModel assemble(ModelConfig config, Map<String, Safetensors.Tensor> tensors,
                                     byte[] tokenizerJson, long headSeed, String source, Device device) {
    QaBlock block = new QaBlock(config);
    Family family = config.family();
    String architecture = family.architecture(config.modelType());
    Map<String, Safetensors.Tensor> byName = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
      String name = family.canonicalName(e.getKey());
      if (family.unused(name)) {
        skipped.add(e.getKey());
        continue;
      }
      if (!block.shapes().containsKey(name)) {
        throw new UsageException(source + ": unexpected tensor " + e.getKey() + " (not a parameter of "
            + architecture + " with " + config.numHiddenLayers() + " layers)");
      }
      if (e.getValue() == null) {
        throw new UsageException(source + ": tensor " + e.getKey() + " is an integer tensor; parameters are "
            + "floating point (F32, F16, BF16 or F64)");
      }
      Shape expected = block.shapes().get(name);
      if (!Arrays.equals(expected.getShape(), e.getValue().shape())) {
        throw new UsageException(source + ": tensor " + e.getKey() + " has shape " + Arrays.toString(e.getValue().shape())
            + ", config.json implies " + Arrays.toString(expected.getShape()));
      }
      if (byName.put(name, e.getValue()) != null) {
        throw new UsageException(source + ": tensor " + name + " is there twice (with and without its prefix)");
      }
    }
    if (!skipped.isEmpty()) {
      LOG.info("{}: skipped {} tensors that {} does not use: {}", source, skipped.size(), architecture, skipped);
    }
    List<String> missing = block.shapes().keySet().stream().filter(n -> !byName.containsKey(n)).toList();
    List<String> head = List.of(Family.QA_WEIGHT, Family.QA_BIAS);
    if (!missing.isEmpty() && !head.containsAll(missing)) {
      throw new UsageException(source + ": missing tensor " + missing.stream().filter(n -> !head.contains(n))
          .findFirst().orElseThrow() + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
    }
    NDManager manager = NDManager.newBaseManager(device);
    try {
      for (Map.Entry<String, Safetensors.Tensor> e : byName.entrySet()) {
        block.setArray(e.getKey(), manager.create(e.getValue().data(), new Shape(e.getValue().shape())));
      }
      if (!missing.isEmpty()) {
        block.initialize(manager, headSeed);
        LOG.info("{}: no question-answering head; initialised {} from seed {} (normal(0, {}), bias 0): train it "
            + "before its answers mean anything", source, missing, headSeed, config.initializerRange());
      }
      return new QaModel(manager, block, tokenizerJson);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Writes {@code model} to {@code dir} (created if needed; files there are replaced): config.json,
   * model.safetensors (F32, state-dict order), tokenizer.json. Each file is written beside and moved into place,
   * so a reader never sees a half-written file.
   */
  public static void save(QaModel model, Path dir) {
    try {
      Files.createDirectories(dir);
      Path config = part(dir, CONFIG);
      model.config().write(config);
      Path weights = part(dir, WEIGHTS);
      Safetensors.write(weights, model.stateDict());
      Path tokenizer = part(dir, TOKENIZER);
      Files.write(tokenizer, model.tokenizerJson());
      Files.move(weights, dir.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(tokenizer, dir.resolve(TOKENIZER), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.move(config, dir.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + dir, e);
    }
  }

  /**
   * A fresh name beside {@code name} to write it under first. Not {@code Files.createTempFile}: its files are
   * owner-only (0600), and a model directory must stay readable by whoever the umask lets read it (executors
   * running as another user, a shared mount).
   */
  private static Path part(Path dir, String name) {
    return dir.resolve(name + "." + java.util.UUID.randomUUID() + ".part");
  }
}
