package io.qadistill.features;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The features table: one row per window, unpadded, column names as Hugging Face's run_qa.py. */
public final class FeaturesTable {
  private static final ArrayType INTS = DataTypes.createArrayType(DataTypes.IntegerType, false);

  public static final StructType SCHEMA = new StructType()
      .add("example_id", DataTypes.StringType, false)
      .add("window", DataTypes.IntegerType, false)
      .add("input_ids", INTS, false)
      .add("token_type_ids", INTS, false)
      .add("attention_mask", INTS, false)
      // [start, end) code-point offsets into the context; null for question and special tokens.
      .add("offset_mapping", DataTypes.createArrayType(INTS, true), false)
      .add("start_positions", DataTypes.IntegerType, false)
      .add("end_positions", DataTypes.IntegerType, false);

  private FeaturesTable() {}
}
