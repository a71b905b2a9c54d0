package io.qadistill.eval;

import static io.qadistill.features.FeaturesTable.EXAMPLE_ID;
import static io.qadistill.features.FeaturesTable.OFFSET_END;
import static io.qadistill.features.FeaturesTable.OFFSET_START;
import static io.qadistill.features.FeaturesTable.WINDOW;
import static io.qadistill.teacher.LogitsTable.END_LOGITS;
import static io.qadistill.teacher.LogitsTable.START_LOGITS;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import io.qadistill.features.FeaturesTable;
import io.qadistill.squad.ExamplesTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@link SpanDecoder} over tables, on the executors: features ⋈ logits on (example_id, window), one group per
 * example (a shuffle on example_id, {@code collect_list} of its windows), joined with the example's context,
 * then decoded row by row. Nothing but the plan goes through the driver.
 */
public final class SpanDecoding {
  private SpanDecoding() {}

  /**
   * One prediction per example that has at least one window with logits (an example without windows gets no
   * row, so evaluation counts it as missing). Lazy.
   *
   * @param examples the examples table (id, context used)
   * @param features the features table (example_id, window, offset_start, offset_end used)
   * @param logits the logits table (example_id, window, start_logits, end_logits used)
   */
  public static Dataset<Row> decode(
      Dataset<Row> examples, Dataset<Row> features, Dataset<Row> logits, SpanDecoder.Config config) {
    Dataset<Row> windows = features.select(EXAMPLE_ID, WINDOW, OFFSET_START, OFFSET_END)
        .join(logits.select(EXAMPLE_ID, WINDOW, START_LOGITS, END_LOGITS), new String[] {EXAMPLE_ID, WINDOW})
        .groupBy(EXAMPLE_ID)
        .agg(collect_list(struct(WINDOW, OFFSET_START, OFFSET_END, START_LOGITS, END_LOGITS)).as("windows"));
    Dataset<Row> grouped = windows
        .join(examples.select(col(ExamplesTable.ID).as(EXAMPLE_ID), col(ExamplesTable.CONTEXT)), EXAMPLE_ID);
    MapFunction<Row, Row> decodeRow = row -> decodeRow(row, config);
    return grouped.select(EXAMPLE_ID, ExamplesTable.CONTEXT, "windows")
        .map(decodeRow, Encoders.row(PredictionsTable.SCHEMA));
  }

  private static Row decodeRow(Row row, SpanDecoder.Config config) {
    List<Row> rows = new ArrayList<>(row.<Row>getList(2));
    rows.sort(Comparator.comparingInt(r -> r.getInt(0)));
    List<SpanDecoder.Window> windows = new ArrayList<>(rows.size());
    for (Row w : rows) {
      windows.add(new SpanDecoder.Window(floats(w.getList(3)), floats(w.getList(4)),
          FeaturesTable.offsetMapping(w)));
    }
    SpanDecoder.Decoded d = SpanDecoder.decode(row.getString(1), windows, config);
    List<Row> nbest = d.nbest().stream()
        .map(c -> RowFactory.create(c.text(), c.probability(), c.startLogit(), c.endLogit()))
        .toList();
    // The row encoder takes Scala sequences for arrays.
    return RowFactory.create(row.getString(0), d.text(), d.nullOdds(),
        scala.jdk.javaapi.CollectionConverters.asScala(nbest).toSeq());
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
