package io.qadistill.train;

import io.qadistill.common.UsageException;
import io.qadistill.model.BertQaConfig;
import io.qadistill.model.BertQaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes the model a training run starts from, as a {@link StudentSpec} says. */
public final class Students {
  private static final Logger LOG = LoggerFactory.getLogger(Students.class);
  private static final String LAYER = "bert.encoder.layer.";

  private Students() {}

  /**
   * The student of {@code spec}: with a source, its embeddings, the mapped encoder layers and its qa_outputs head,
   * copied (DistilBERT's initialisation; the whole source when the depth is the same and no map is given), with
   * the source's tokenizer; without one, transformers' random initialisation from the seed, with the bundled
   * bert-base-uncased tokenizer (all-MiniLM-L6-v2's). The caller closes the model.
   */
  public static BertQaModel build(StudentSpec spec) {
    return spec.source() == null ? random(spec) : fromSource(spec);
  }

  private static BertQaModel random(StudentSpec spec) {
    byte[] tokenizer;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      tokenizer = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled tokenizer", e);
    }
    BertQaConfig config = BertQaConfig.withDefaults(30522, or(spec.hidden(), StudentSpec.DEFAULT_HIDDEN),
        or(spec.layers(), StudentSpec.DEFAULT_LAYERS), or(spec.heads(), StudentSpec.DEFAULT_HEADS),
        or(spec.intermediate(), StudentSpec.DEFAULT_INTERMEDIATE), 512, 2);
    config = withDropout(config, spec.dropout());
    LOG.info("student: random, {} layers, hidden {}, {} heads, intermediate {}, seed {}", config.numHiddenLayers(),
        config.hiddenSize(), config.numAttentionHeads(), config.intermediateSize(), spec.seed());
    return BertQaModel.initialize(config, tokenizer, spec.seed());
  }

  private static BertQaModel fromSource(StudentSpec spec) {
    try (BertQaModel source = ModelDirectory.load(Path.of(spec.source()), spec.seed())) {
      BertQaConfig s = source.config();
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
      BertQaConfig config = withDropout(new BertQaConfig(s.vocabSize(), s.hiddenSize(), layers,
          s.numAttentionHeads(), s.intermediateSize(), s.hiddenAct(), s.hiddenDropoutProb(),
          s.attentionProbsDropoutProb(), s.maxPositionEmbeddings(), s.typeVocabSize(), s.layerNormEps(),
          s.initializerRange()), spec.dropout());
      Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
      Map<String, Safetensors.Tensor> all = source.stateDict();
      for (Map.Entry<String, Safetensors.Tensor> e : all.entrySet()) {
        if (!e.getKey().startsWith(LAYER)) {
          tensors.put(e.getKey(), e.getValue());
        }
      }
      for (int i = 0; i < map.length; i++) {
        String from = LAYER + map[i] + ".";
        for (Map.Entry<String, Safetensors.Tensor> e : all.entrySet()) {
          if (e.getKey().startsWith(from)) {
            tensors.put(LAYER + i + "." + e.getKey().substring(from.length()), e.getValue());
          }
        }
      }
      LOG.info("student: {} layers from {} (its layers {}), embeddings and qa_outputs copied", layers,
          spec.source(), Arrays.toString(map));
      return ModelDirectory.assemble(config, tensors, source.tokenizerJson(), spec.seed(), spec.source());
    }
  }

  private static void check(String what, int wanted, int source, StudentSpec spec) {
    if (wanted != 0 && wanted != source) {
      throw new UsageException("student " + what + " " + wanted + " differs from " + spec.source() + "'s " + source
          + ": layers are copied only between models of the same width; leave " + what + " out, or start at random");
    }
  }

  private static BertQaConfig withDropout(BertQaConfig config, Double dropout) {
    return dropout == null ? config : config.withDropout(dropout, dropout);
  }

  private static int or(int value, int otherwise) {
    return value != 0 ? value : otherwise;
  }
}
