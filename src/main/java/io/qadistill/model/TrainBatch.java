package io.qadistill.model;

import java.util.List;

/**
 * A training batch as plain arrays, one entry per window (unpadded): ids, type ids, the answer's token positions,
 * and the teacher's logits per token (null lists when the loss needs none).
 */
public record TrainBatch(List<int[]> inputIds, List<int[]> tokenTypeIds, long[] startPositions, long[] endPositions,
                         List<float[]> teacherStart, List<float[]> teacherEnd) {
  public int size() {
    return inputIds.size();
  }
}
