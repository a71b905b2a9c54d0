package io.qadistill.features;

import io.qadistill.common.Tables;
import io.qadistill.common.UsageException;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The features table: one row per window, unpadded, column names as Hugging Face's run_qa.py where it has them.
 * Its schema, its writer ({@code featurize}) and its reader (every stage that reads features) are here.
 *
 * <p>Lean on purpose: no {@code attention_mask} (rows are unpadded, so it would be all ones: a reader makes it from
 * the length) and the offsets as two flat int arrays instead of {@code offset_mapping}'s pairs with nulls; the
 * mask and the pairs were a fifth of featurize's time, in Parquet writing. {@link #offsetMapping} gives the pairs
 * back.
 */
public final class FeaturesTable {
  public static final String EXAMPLE_ID = "example_id";
  public static final String WINDOW = "window";
  public static final String INPUT_IDS = "input_ids";
  /** Type ids as the tokenizer's pair template gives them. */
  public static final String TOKEN_TYPE_IDS = "token_type_ids";
  /** Code-point offset in the context where each token starts; {@link #NO_OFFSET} outside the context. */
  public static final String OFFSET_START = "offset_start";
  /** Code-point offset in the context where each token ends (exclusive); {@link #NO_OFFSET} outside it. */
  public static final String OFFSET_END = "offset_end";
  /** The answer's first token; 0 (the CLS index) when the answer is not wholly inside the window, or none. */
  public static final String START_POSITIONS = "start_positions";
  public static final String END_POSITIONS = "end_positions";
  /** The offset of a question or special token. */
  public static final int NO_OFFSET = -1;

  private static final ArrayType INTS = DataTypes.createArrayType(DataTypes.IntegerType, false);

  public static final StructType SCHEMA = new StructType()
      .add(EXAMPLE_ID, DataTypes.StringType, false)
      .add(WINDOW, DataTypes.IntegerType, false)
      .add(INPUT_IDS, INTS, false)
      .add(TOKEN_TYPE_IDS, INTS, false)
      .add(OFFSET_START, INTS, false)
      .add(OFFSET_END, INTS, false)
      .add(START_POSITIONS, DataTypes.IntegerType, false)
      .add(END_POSITIONS, DataTypes.IntegerType, false);

  private static final String HINT = "--features the --out directory of a 'featurize' run";

  private FeaturesTable() {}

  /** A row in {@link #SCHEMA}'s order. */
  public static Row row(String exampleId, int window, int[] inputIds, int[] tokenTypeIds, int[] offsetStart,
      int[] offsetEnd, int startPosition, int endPosition) {
    return RowFactory.create(exampleId, window, inputIds, tokenTypeIds, offsetStart, offsetEnd, startPosition,
        endPosition);
  }

  /**
   * The {@code columns} of the features table at {@code path}; a path that is no features table, or one without
   * a column asked for, is a usage error naming it.
   */
  public static Dataset<Row> read(SparkSession spark, String path, String... columns) {
    Dataset<Row> table = Tables.read(spark, path, "features", HINT);
    if (List.of(table.columns()).contains("offset_mapping")) {
      throw new UsageException("the features table " + path + " has the first layout (attention_mask, "
          + "offset_mapping): run featurize again on its examples to get " + OFFSET_START + " and " + OFFSET_END);
    }
    return Tables.requireColumns(table, path, "features", HINT, columns)
        .select(columns[0], Arrays.copyOfRange(columns, 1, columns.length));
  }

  /**
   * Writes {@code features} (in {@link #SCHEMA}) to {@code out}, replacing what is there, as Parquet that Spark,
   * Arrow and Hugging Face datasets read as these columns. The write is featurize's largest cost after the
   * tokenizer, so it goes column by column ({@link FeaturesParquetWriter}) rather than through Spark's row-by-row
   * Parquet writer; Spark still plans, runs and commits it as a file write.
   */
  public static void write(Dataset<Row> features, String out) {
    if (!features.schema().equals(SCHEMA)) {
      throw new IllegalArgumentException("not the features table's schema: " + features.schema().simpleString());
    }
    features.write().mode(SaveMode.Overwrite).format(FeaturesParquetFormat.class.getName()).save(out);
  }

  /**
   * Hugging Face's {@code offset_mapping} of a row read with {@link #OFFSET_START} and {@link #OFFSET_END} (any
   * row or struct with those fields): {start, end} per token, null outside the context, as run_qa.py's
   * {@code prepare_validation_features} leaves it.
   */
  public static int[][] offsetMapping(Row feature) {
    List<Integer> starts = feature.getList(feature.fieldIndex(OFFSET_START));
    List<Integer> ends = feature.getList(feature.fieldIndex(OFFSET_END));
    int[][] pairs = new int[starts.size()][];
    for (int i = 0; i < pairs.length; i++) {
      int start = starts.get(i);
      pairs[i] = start == NO_OFFSET ? null : new int[] {start, ends.get(i)};
    }
    return pairs;
  }
}
