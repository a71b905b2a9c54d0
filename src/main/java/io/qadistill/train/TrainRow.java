package io.qadistill.train;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One window to train on: a features row (unpadded) and, when distilling, the teacher's logits for it (one per
 * token, read from the logits table; null when fine-tuning).
 */
public record TrainRow(String exampleId, int window, int[] inputIds, int[] tokenTypeIds, int startPosition,
                       int endPosition, float[] teacherStart, float[] teacherEnd) implements Serializable {

  /** From a row of features (joined with the logits' start_logits and end_logits when they are there). */
  public static TrainRow of(Row row) {
    boolean withLogits = hasField(row, "start_logits");
    return new TrainRow(row.getAs("example_id"), row.<Integer>getAs("window"), ints(row, "input_ids"),
        ints(row, "token_type_ids"), row.<Integer>getAs("start_positions"), row.<Integer>getAs("end_positions"),
        withLogits ? floats(row, "start_logits") : null, withLogits ? floats(row, "end_logits") : null);
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
