package io.qadistill.bench;

import static org.apache.spark.sql.functions.expr;

import io.qadistill.features.FeaturesTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An order-independent digest of a features table's content, equal for the same windows in either layout: the
 * present one (offset_start, offset_end) and the first one (attention_mask, offset_mapping pairs with nulls).
 * Each row's xxhash64 over example_id, window, input_ids, token_type_ids, start_positions, end_positions and the
 * offsets both ways (flat, -1 outside the context, and as pairs with nulls; the missing form derived in SQL),
 * then the row count, the sum (as a decimal) and the xor of the hashes. attention_mask is left out (all ones).
 * Usage: jobs/bench FeaturesDigest DIR... (a table written by featurize before or after the layout change).
 */
public final class FeaturesDigest {
  private static final String PAIRS =
      "transform(arrays_zip(offset_start, offset_end), o -> if(o.offset_start < 0, null, "
          + "array(o.offset_start, o.offset_end)))";

  private FeaturesDigest() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("FeaturesDigest")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    for (String dir : args) {
      System.out.printf("%s: %s%n", dir, of(spark, dir));
    }
    spark.stop();
  }

  /** "rows N, sum S, xor X" of the table at {@code path}. */
  public static String of(SparkSession spark, String path) {
    Dataset<Row> table = spark.read().parquet(path);
    if (List.of(table.columns()).contains("offset_mapping")) {
      table = table.withColumn(FeaturesTable.OFFSET_START, expr("transform(offset_mapping, o -> coalesce(o[0], -1))"))
          .withColumn(FeaturesTable.OFFSET_END, expr("transform(offset_mapping, o -> coalesce(o[1], -1))"));
    } else {
      table = table.withColumn("offset_mapping", expr(PAIRS));
    }
    Row d = table.selectExpr("xxhash64(example_id, window, input_ids, token_type_ids, start_positions, "
            + "end_positions, offset_start, offset_end, offset_mapping) AS h")
        .selectExpr("count(*)", "sum(cast(h AS decimal(38, 0)))", "bit_xor(h)").first();
    return String.format("rows %d, sum %s, xor %016x", d.getLong(0), d.getDecimal(1), d.getLong(2));
  }
}
