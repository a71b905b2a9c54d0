package io.qadistill.model;

import io.qadistill.common.UsageException;
import java.io.Serializable;
import java.util.List;

/**
 * How a student is made (see {@link Students#build}).
 *
 * @param source a model directory to start from (a teacher, or any QA model of a supported family), or null for a
 *     random model
 * @param layers encoder layers of the student; 0 = as many as the source (6 for a random model)
 * @param hidden hidden size; 0 = the source's (384 for a random model). Layers are copied only between models of
 *     the same hidden, heads and intermediate sizes
 * @param heads attention heads; 0 = the source's (12 for a random model)
 * @param intermediate intermediate (feed-forward) size; 0 = the source's (1536 for a random model)
 * @param layerMap which source layer each student layer starts from (student layer i ← source layer
 *     {@code layerMap[i]}), or null for evenly spaced ones, DistilBERT-style: every other layer for half the depth
 * @param dropout hidden and attention dropout of the student, or null for the source's (0.1 for a random model)
 * @param seed the random model's initial weights (and a missing qa_outputs head of the source's)
 * @param type the student's {@code model_type} (bert, distilbert, roberta, xlm-roberta), or null for the source's
 *     family (bert for a random model). A source seeds students of its own family, and a BERT source DistilBERT
 *     ones too (the DistilBERT paper's initialisation)
 * @param tokenizer a random student's tokenizer.json, or null for the bundled bert-base-uncased one; the student's
 *     vocabulary is the tokenizer's
 */
public record StudentSpec(String source, int layers, int hidden, int heads, int intermediate, List<Integer> layerMap,
                          Double dropout, long seed, String type, String tokenizer) implements Serializable {
  /** The random model's sizes when none are given: all-MiniLM-L6-v2's. */
  public static final int DEFAULT_LAYERS = 6;
  public static final int DEFAULT_HIDDEN = 384;
  public static final int DEFAULT_HEADS = 12;
  public static final int DEFAULT_INTERMEDIATE = 1536;

  public StudentSpec {
    for (var e : List.of(List.of("layers", layers), List.of("hidden", hidden), List.of("heads", heads),
        List.of("intermediate", intermediate))) {
      if ((Integer) e.get(1) < 0) {
        throw new UsageException("student " + e.get(0) + " " + e.get(1) + " must be > 0 (or 0: as the source)");
      }
    }
    if (layerMap != null) {
      if (source == null) {
        throw new UsageException("a layer map " + layerMap + " needs a source model to copy the layers from");
      }
      if (layers != 0 && layers != layerMap.size()) {
        throw new UsageException("layer map " + layerMap + " names " + layerMap.size() + " layers but the student has "
            + layers + "; give one source layer per student layer");
      }
      if (layerMap.stream().anyMatch(i -> i == null || i < 0)
          || layerMap.stream().distinct().count() != layerMap.size()) {
        throw new UsageException("layer map " + layerMap + " must list distinct source layer indices ≥ 0");
      }
      layerMap = List.copyOf(layerMap);
    }
    if (dropout != null && !(dropout >= 0 && dropout < 1)) {
      throw new UsageException("dropout " + dropout + " must be in [0, 1)");
    }
    if (type != null && !Families.supports(type)) {
      throw new UsageException("student type \"" + type + "\" is not supported; the supported ones are "
          + Families.modelTypes());
    }
    if (tokenizer != null && source != null) {
      throw new UsageException("a tokenizer " + tokenizer + " is for a random student; one started from "
          + source + " keeps its tokenizer");
    }
  }

  /** A student of the source's family (bert when random), with its tokenizer or the bundled one. */
  public StudentSpec(String source, int layers, int hidden, int heads, int intermediate, List<Integer> layerMap,
                     Double dropout, long seed) {
    this(source, layers, hidden, heads, intermediate, layerMap, dropout, seed, null, null);
  }

  /** A student of {@code layers} layers from {@code source} (evenly spaced layers, the source's sizes). */
  public static StudentSpec fromSource(String source, int layers, long seed) {
    return new StudentSpec(source, layers, 0, 0, 0, null, null, seed);
  }

  /** A random student of the given sizes. */
  public static StudentSpec random(int layers, int hidden, int heads, int intermediate, long seed) {
    return new StudentSpec(null, layers, hidden, heads, intermediate, null, null, seed);
  }

  /** The same with another dropout (0 for deterministic checks). */
  public StudentSpec withDropout(double p) {
    return new StudentSpec(source, layers, hidden, heads, intermediate, layerMap, p, seed, type, tokenizer);
  }

  /** The same as a student of another family ({@code model_type}). */
  public StudentSpec withType(String studentType) {
    return new StudentSpec(source, layers, hidden, heads, intermediate, layerMap, dropout, seed, studentType,
        tokenizer);
  }

  /**
   * The source layer of each student layer: the map given, else {@code floor(i · sourceLayers / layers)}
   * (0, 2, 4 for 3 of 6: DistilBERT's every other layer).
   */
  public static int[] evenlySpaced(int layers, int sourceLayers) {
    int[] map = new int[layers];
    for (int i = 0; i < layers; i++) {
      map[i] = (int) ((long) i * sourceLayers / layers);
    }
    return map;
  }
}
