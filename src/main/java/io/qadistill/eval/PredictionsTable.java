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
import org.apache.spark.sql.types.StructType;

/**
 * The predictions table, one row per question: {@code id}, {@code prediction_text}, {@code null_odds} (v2.0; null
 * for v1.1), {@code nbest} (the candidates, as Hugging Face's {@code postprocess_qa_predictions} keeps them). On
 * disk as Parquet ({@code predictions/}) beside the official files: {@code predictions.json}
 * ({@code {"id": "text", …}}) and {@code null_odds.json} ({@code {"id": odds, …}}, the v2.0 script's
 * {@code --na-prob-file}). Its schema, reader and writer. Paths may be local, HDFS or S3.
 */
public final class PredictionsTable {
  public static final String ID = "id";
  public static final String PREDICTION_TEXT = "prediction_text";
  public static final String NULL_ODDS = "null_odds";
  public static final String NBEST = "nbest";
  /** The input order, added when reading: it breaks ties in null odds as the script's stable sort does. */
  public static final String ORD = "ord";
  /** The Parquet table's directory, and the official files, in a {@code predict} output. */
  public static final String TABLE = "predictions";
  public static final String PREDICTIONS_JSON = "predictions.json";
  public static final String NULL_ODDS_JSON = "null_odds.json";

  public static final StructType SCHEMA = new StructType()
      .add(ID, DataTypes.StringType, false)
      .add(PREDICTION_TEXT, DataTypes.StringType, false)
      .add(NULL_ODDS, DataTypes.DoubleType, true)
      .add(NBEST, DataTypes.createArrayType(new StructType()
          .add("text", DataTypes.StringType, false)
          .add("probability", DataTypes.DoubleType, false)
          .add("start_logit", DataTypes.FloatType, false)
          .add("end_logit", DataTypes.FloatType, false), false), false);

  private PredictionsTable() {}

  /**
   * Reads predictions: a path ending in {@code .json} as the official file (with {@code nullOddsJson}, may be
   * null), anything else as Parquet. Adds {@code ord}, the input order (of the null-odds file when there is one),
   * which breaks ties in null odds as the script's stable sort does.
   */
  public static Dataset<Row> read(SparkSession spark, String predictions, String nullOddsJson) {
    if (predictions.endsWith(".json")) {
      Dataset<Row> texts = readJsonObject(spark, predictions, DataTypes.StringType)
          .withColumnRenamed("value", PREDICTION_TEXT);
      if (nullOddsJson == null) {
        return texts;
      }
      Dataset<Row> odds = readJsonObject(spark, nullOddsJson, DataTypes.DoubleType)
          .withColumnRenamed("value", NULL_ODDS);
      return texts.drop(ORD).join(odds, new String[] {ID}, "left");
    }
    if (nullOddsJson != null) {
      throw new UsageException("--null-odds " + nullOddsJson + " goes with a predictions.json file; the Parquet "
          + "predictions at " + predictions + " carry their own null_odds column");
    }
    Dataset<Row> table = Tables.read(spark, predictions, "predictions", "--predictions a predictions.json file "
        + "or the predictions table of a 'predict' run (columns id, prediction_text[, null_odds])", ID,
        PREDICTION_TEXT);
    return table.withColumn(ORD, monotonically_increasing_id());
  }

  /**
   * One JSON object {@code {key: value, …}} as rows {@code id, value, ord} (ord = position in the file). The file
   * is read whole by one task ({@code wholetext}), so it never passes through the driver.
   */
  private static Dataset<Row> readJsonObject(SparkSession spark, String path, DataType valueType) {
    try {
      return spark.read().option("wholetext", "true").text(path)
          .select(posexplode(from_json(col("value"), DataTypes.createMapType(DataTypes.StringType, valueType))))
          .select(col("key").as(ID), col("value"), col("pos").cast(DataTypes.LongType).as(ORD));
    } catch (RuntimeException e) {
      throw new UsageException("cannot read " + path + " as a JSON object {\"id\": value, …}: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code predictions} into {@code dir}: the table as Parquet ({@link #TABLE}), then from it
   * {@code predictions.json} and, when some {@code null_odds} is not null, {@code null_odds.json}. The rows stream
   * to the driver one partition at a time ({@code toLocalIterator}), which writes the single file the official
   * scripts read. Returns the table read back and whether null_odds.json was written.
   */
  public static Written write(SparkSession spark, Dataset<Row> predictions, String dir) {
    String table = new Path(dir, TABLE).toString();
    predictions.write().parquet(table);
    Dataset<Row> written = spark.read().parquet(table);
    Dataset<Row> rows = written.select(col(ID), col(PREDICTION_TEXT), col(NULL_ODDS).cast("double"));
    boolean withOdds = !rows.filter(col(NULL_ODDS).isNotNull()).isEmpty();
    writeObject(spark, new Path(dir, PREDICTIONS_JSON), rows, false);
    if (withOdds) {
      writeObject(spark, new Path(dir, NULL_ODDS_JSON), rows, true);
    }
    return new Written(written, withOdds);
  }

  /** The table as written, and whether it had null odds to write. */
  public record Written(Dataset<Row> table, boolean nullOdds) {}

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
