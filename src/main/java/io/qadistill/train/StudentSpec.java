package io.qadistill.train;

import io.qadistill.common.UsageException;
import java.io.Serializable;
import java.util.List;

/**
 * How a student is made (see {@link Students#build}).
 *
 * @param source a model directory to start from (a teacher, or any BERT QA model), or null for a random model
 * @param layers encoder layers of the student; 0 = as many as the source (6 for a random model)
 * @param hidden hidden size; 0 = the source's (384 for a random model). Layers are copied only between models of
 *     the same hidden, heads and intermediate sizes
 * @param heads attention heads; 0 = the source's (12 for a random model)
 * @param intermediate intermediate (feed-forward) size; 0 = the source's (1536 for a random model)
 * @param layerMap which source layer each student layer starts from (student layer i ← source layer
 *     {@code layerMap[i]}), or null for evenly spaced ones, DistilBERT-style: every other layer for half the depth
 * @param dropout hidden and attention dropout of the student, or null for the source's (0.1 for a random model)
 * @param seed the random model's initial weights (and a missing qa_outputs head of the source's)
 */
public record StudentSpec(String source, int layers, int hidden, int heads, int intermediate, List<Integer> layerMap,
                          Double dropout, long seed) implements Serializable {
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
    return new StudentSpec(source, layers, hidden, heads, intermediate, layerMap, p, seed);
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
