package io.qadistill.model;

import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes the model a training run starts from, as a {@link StudentSpec} says. */
public final class Students {
  private static final Logger LOG = LoggerFactory.getLogger(Students.class);
  /** A random model's window limit: BERT's 512 positions (RoBERTa's start after the padding id). */
  private static final int RANDOM_MAX_LENGTH = 512;

  private Students() {}

  /**
   * The student of {@code spec}: with a source, its embeddings, the mapped encoder layers and its qa_outputs head,
   * copied (DistilBERT's initialisation; the whole source when the depth is the same and no map is given), with
   * the source's tokenizer; a student of another family than the source's takes the parts it has (DistilBERT from
   * BERT: no token-type embeddings). Without a source, transformers' random initialisation from the seed, with the
   * given or the bundled bert-base-uncased tokenizer (all-MiniLM-L6-v2's), whose vocabulary it takes. The caller
   * closes the model.
   */
  public static QaModel build(StudentSpec spec) {
    return spec.source() == null ? random(spec) : fromSource(spec);
  }

  private static QaModel random(StudentSpec spec) {
    String type = spec.type() != null ? spec.type() : "bert";
    byte[] tokenizer = randomTokenizer(spec, type);
    Vocabulary vocabulary = Vocabulary.of(tokenizer, spec.tokenizer() == null ? "the bundled tokenizer"
        : spec.tokenizer());
    int pad = vocabulary.padId();
    boolean afterPadding = Families.of(type).positionsAfterPadding();
    ModelConfig bert = ModelConfig.bert(vocabulary.size(), or(spec.hidden(), StudentSpec.DEFAULT_HIDDEN),
        or(spec.layers(), StudentSpec.DEFAULT_LAYERS), or(spec.heads(), StudentSpec.DEFAULT_HEADS),
        or(spec.intermediate(), StudentSpec.DEFAULT_INTERMEDIATE),
        afterPadding ? RANDOM_MAX_LENGTH + pad + 1 : RANDOM_MAX_LENGTH, afterPadding ? 1 : 2);
    ModelConfig config = withDropout(new ModelConfig(bert.modelType(), bert.vocabSize(), bert.hiddenSize(),
        bert.numHiddenLayers(), bert.numAttentionHeads(), bert.intermediateSize(), bert.hiddenAct(),
        bert.hiddenDropoutProb(), bert.attentionProbsDropoutProb(), bert.maxPositionEmbeddings(),
        bert.typeVocabSize(), bert.layerNormEps(), bert.initializerRange(), pad).as(type), spec.dropout());
    LOG.info("student: random {}, {} layers, hidden {}, {} heads, intermediate {}, vocabulary {}, seed {}", type,
        config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads(), config.intermediateSize(),
        config.vocabSize(), spec.seed());
    return QaModel.initialize(config, tokenizer, spec.seed());
  }

  private static byte[] randomTokenizer(StudentSpec spec, String type) {
    try {
      if (spec.tokenizer() != null) {
        return Files.readAllBytes(Path.of(spec.tokenizer()));
      }
      if (Families.of(type).positionsAfterPadding()) {
        throw new UsageException("a random " + type + " student needs its tokenizer.json (the bundled one is "
            + "bert-base-uncased's): give --tokenizer, or start it from a " + type + " model directory");
      }
      try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tokenizer " + spec.tokenizer(), e);
    }
  }

  private static QaModel fromSource(StudentSpec spec) {
    try (QaModel source = ModelDirectory.load(Path.of(spec.source()), spec.seed())) {
      ModelConfig s = source.config();
      Family from = s.family();
      Family to = spec.type() != null ? Families.of(spec.type()) : from;
      if (!from.seeds(to)) {
        throw new UsageException("a " + spec.type() + " student cannot start from " + spec.source() + ", a "
            + s.modelType() + " model: a model seeds students of its own family (and BERT DistilBERT ones); leave "
            + "the student type out, or start at random");
      }
      check("hidden", spec.hidden(), s.hiddenSize(), spec);
      check("heads", spec.heads(), s.numAttentionHeads(), spec);
      check("intermediate", spec.intermediate(), s.intermediateSize(), spec);
      int layers = spec.layerMap() != null ? spec.layerMap().size() : or(spec.layers(), s.numHiddenLayers());
      if (layers > s.numHiddenLayers() && spec.layerMap() == null) {
        throw new UsageException("a student of " + layers + " layers from " + spec.source() + ", which has "
            + s.numHiddenLayers() + ": give at most " + s.numHiddenLayers() + " layers, or a layer map");
      }
      int[] map = spec.layerMap() != null ? spec.layerMap().stream().mapToInt(Integer::intValue).toArray()
          : StudentSpec.evenlySpaced(layers, s.numHiddenLayers());
      for (int i : map) {
        if (i >= s.numHiddenLayers()) {
          throw new UsageException("student layers " + Arrays.toString(map) + ": " + spec.source() + " has only "
              + s.numHiddenLayers() + " layers (0 to " + (s.numHiddenLayers() - 1) + ")");
        }
      }
      ModelConfig config = withDropout(s.withLayers(layers), spec.dropout())
          .as(spec.type() != null ? spec.type() : s.modelType());
      Map<String, Safetensors.Tensor> all = source.stateDict();
      Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
      for (Family.Embedding part : Family.Embedding.values()) {
        String target = to.embedding(part);
        if (target != null) {
          tensors.put(target, all.get(from.embedding(part)));
        }
      }
      for (int i = 0; i < map.length; i++) {
        for (Family.LayerPart part : Family.LayerPart.values()) {
          tensors.put(to.layer(i, part), all.get(from.layer(map[i], part)));
        }
      }
      tensors.put(Family.QA_WEIGHT, all.get(Family.QA_WEIGHT));
      tensors.put(Family.QA_BIAS, all.get(Family.QA_BIAS));
      boolean typesDropped = from.embedding(Family.Embedding.TOKEN_TYPE) != null
          && to.embedding(Family.Embedding.TOKEN_TYPE) == null;
      LOG.info("student: {} of {} layers from {} ({}, its layers {}), embeddings{} and qa_outputs copied",
          config.modelType(), layers, spec.source(), s.modelType(), Arrays.toString(map),
          typesDropped ? " (but the token-type embeddings)" : "");
      return ModelDirectory.assemble(config, tensors, source.tokenizerJson(), spec.seed(), spec.source());
    }
  }

  private static void check(String what, int wanted, int source, StudentSpec spec) {
    if (wanted != 0 && wanted != source) {
      throw new UsageException("student " + what + " " + wanted + " differs from " + spec.source() + "'s " + source
          + ": layers are copied only between models of the same width; leave " + what + " out, or start at random");
    }
  }

  private static ModelConfig withDropout(ModelConfig config, Double dropout) {
    return dropout == null ? config : config.withDropout(dropout, dropout);
  }

  private static int or(int value, int otherwise) {
    return value != 0 ? value : otherwise;
  }
}
