package io.qadistill.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import java.math.BigDecimal;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * An order-independent fingerprint of a table's rows: their count and the sum of each row's xxhash64 over all its
 * columns in name order. Two tables with the same rows (as a multiset) have the same digest whatever their
 * partitioning or row order; a changed value, a row more or less changes it (up to hash collisions).
 */
public record TableDigest(long rows, BigDecimal hashSum) {
  public static TableDigest of(Dataset<Row> table) {
    Column[] columns = Arrays.stream(table.columns()).sorted().map(c -> col("`" + c + "`")).toArray(Column[]::new);
    // a sum of 64-bit hashes overflows a long (an error under ANSI mode): add them as decimals
    Row r = table.select(xxhash64(columns).cast(DataTypes.createDecimalType(38, 0)).as("h"))
        .agg(count(lit(1)), sum(col("h"))).first();
    return new TableDigest(r.getLong(0), r.isNullAt(1) ? BigDecimal.ZERO : r.getDecimal(1));
  }
}
