package io.qadistill.common;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The layout of every quarantine table: records a stage could not take, never dropped. {@code reason} is a
 * stable code to group by; {@code location} where in the file (null when the input is a table); {@code detail} says what exactly was wrong; {@code raw} is the record as read.
 */
public final class Quarantine {
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("file", DataTypes.StringType, true)
      .add("location", DataTypes.StringType, true)
      .add("reason", DataTypes.StringType, false)
      .add("detail", DataTypes.StringType, true)
      .add("raw", DataTypes.StringType, true);

  private Quarantine() {}
}
