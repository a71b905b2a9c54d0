package io.qadistill.eval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.posexplode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.qadistill.common.Tables;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Predictions on disk. The table ({@code id, prediction_text, null_odds}; more columns are kept) as Parquet, or
 * the official files: {@code predictions.json} ({@code {"id": "text", …}}) and {@code null_odds.json}
 * ({@code {"id": odds, …}}, the v2.0 script's {@code --na-prob-file}). Paths may be local, HDFS or S3.
 */
public final class PredictionFiles {
  private PredictionFiles() {}

  /**
   * Reads predictions: a path ending in {@code .json} as the official file (with {@code nullOddsJson}, may be
   * null), anything else as Parquet. Adds {@code ord}, the input order (of the null-odds file when there is one),
   * which breaks ties in null odds as the script's stable sort does.
   */
  public static Dataset<Row> read(SparkSession spark, String predictions, String nullOddsJson) {
    if (predictions.endsWith(".json")) {
      Dataset<Row> texts = readJsonObject(spark, predictions, DataTypes.StringType)
          .withColumnRenamed("value", "prediction_text");
      if (nullOddsJson == null) {
        return texts;
      }
      Dataset<Row> odds = readJsonObject(spark, nullOddsJson, DataTypes.DoubleType)
          .withColumnRenamed("value", "null_odds");
      return texts.drop("ord").join(odds, new String[] {"id"}, "left");
    }
    if (nullOddsJson != null) {
      throw new UsageException("--null-odds " + nullOddsJson + " goes with a predictions.json file; the Parquet "
          + "predictions at " + predictions + " carry their own null_odds column");
    }
    Dataset<Row> table = Tables.read(spark, predictions, "predictions", "--predictions a predictions.json file "
        + "or the predictions table of a 'predict' run (columns id, prediction_text[, null_odds])", "id",
        "prediction_text");
    return table.withColumn("ord", monotonically_increasing_id());
  }

  /**
   * One JSON object {@code {key: value, …}} as rows {@code id, value, ord} (ord = position in the file). The file
   * is read whole by one task ({@code wholetext}), so it never passes through the driver.
   */
  private static Dataset<Row> readJsonObject(SparkSession spark, String path, DataType valueType) {
    try {
      return spark.read().option("wholetext", "true").text(path)
          .select(posexplode(from_json(col("value"), DataTypes.createMapType(DataTypes.StringType, valueType))))
          .select(col("key").as("id"), col("value"), col("pos").cast(DataTypes.LongType).as("ord"));
    } catch (RuntimeException e) {
      throw new UsageException("cannot read " + path + " as a JSON object {\"id\": value, …}: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code predictions.json} and, when the table has non-null {@code null_odds}, {@code null_odds.json}
   * into {@code dir}. The rows stream to the driver one partition at a time ({@code toLocalIterator}), which
   * writes the single file the official scripts read; returns whether null_odds.json was written.
   */
  public static boolean writeJson(SparkSession spark, Dataset<Row> predictions, String dir) {
    Dataset<Row> rows = predictions.select(col("id"), col("prediction_text"), col("null_odds").cast("double"));
    boolean withOdds = !rows.filter(col("null_odds").isNotNull()).isEmpty();
    writeObject(spark, new Path(dir, "predictions.json"), rows, false);
    if (withOdds) {
      writeObject(spark, new Path(dir, "null_odds.json"), rows, true);
    }
    return withOdds;
  }

  private static void writeObject(SparkSession spark, Path path, Dataset<Row> rows, boolean odds) {
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true);
          JsonGenerator json = new JsonFactory().createGenerator(out)) {
        json.writeStartObject();
        Iterator<Row> it = rows.toLocalIterator();
        while (it.hasNext()) {
          Row r = it.next();
          if (odds && !r.isNullAt(2)) {
            json.writeFieldName(r.getString(0));
            json.writeNumber(r.getDouble(2));
          } else if (!odds) {
            json.writeFieldName(r.getString(0));
            json.writeString(r.getString(1));
          }
        }
        json.writeEndObject();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }
}
