package io.qadistill.train;

import io.qadistill.features.FeaturesTable;
import io.qadistill.teacher.LogitsTable;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One window to train on: a features row (unpadded) and, when distilling, the teacher's logits for it (one per
 * token, read from the logits table; null when fine-tuning). A class, not a record: cached partitions that spill
 * to disk are written with the cluster's serializer, and Spark's Kryo cannot build records.
 */
public final class TrainRow implements Serializable {
  private final String exampleId;
  private final int window;
  private final int[] inputIds;
  private final int[] tokenTypeIds;
  private final int startPosition;
  private final int endPosition;
  private final float[] teacherStart;
  private final float[] teacherEnd;

  public TrainRow(String exampleId, int window, int[] inputIds, int[] tokenTypeIds, int startPosition,
                  int endPosition, float[] teacherStart, float[] teacherEnd) {
    this.exampleId = exampleId;
    this.window = window;
    this.inputIds = inputIds;
    this.tokenTypeIds = tokenTypeIds;
    this.startPosition = startPosition;
    this.endPosition = endPosition;
    this.teacherStart = teacherStart;
    this.teacherEnd = teacherEnd;
  }

  /** From a row of features (joined with the logits' start_logits and end_logits when they are there). */
  public static TrainRow of(Row row) {
    boolean withLogits = hasField(row, LogitsTable.START_LOGITS);
    return new TrainRow(row.getAs(FeaturesTable.EXAMPLE_ID), row.<Integer>getAs(FeaturesTable.WINDOW),
        ints(row, FeaturesTable.INPUT_IDS), ints(row, FeaturesTable.TOKEN_TYPE_IDS),
        row.<Integer>getAs(FeaturesTable.START_POSITIONS), row.<Integer>getAs(FeaturesTable.END_POSITIONS),
        withLogits ? floats(row, LogitsTable.START_LOGITS) : null,
        withLogits ? floats(row, LogitsTable.END_LOGITS) : null);
  }

  public String exampleId() {
    return exampleId;
  }

  public int window() {
    return window;
  }

  public int[] inputIds() {
    return inputIds;
  }

  public int[] tokenTypeIds() {
    return tokenTypeIds;
  }

  public int startPosition() {
    return startPosition;
  }

  public int endPosition() {
    return endPosition;
  }

  /** The teacher's start logits, one per token, or null. */
  public float[] teacherStart() {
    return teacherStart;
  }

  public float[] teacherEnd() {
    return teacherEnd;
  }

  public int length() {
    return inputIds.length;
  }

  /** Whether the teacher's logits are there and have one value per token. */
  public boolean logitsMatch() {
    return teacherStart != null && teacherStart.length == length() && teacherEnd.length == length();
  }

  private static boolean hasField(Row row, String name) {
    for (String field : row.schema().fieldNames()) {
      if (field.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static int[] ints(Row row, String name) {
    List<Integer> list = row.getList(row.fieldIndex(name));
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private static float[] floats(Row row, String name) {
    List<Float> list = row.getList(row.fieldIndex(name));
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }
}
