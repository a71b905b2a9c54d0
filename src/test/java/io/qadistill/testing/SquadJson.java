package io.qadistill.testing;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A well-formed SQuAD file as an examples table, via Spark's JSON reader: an independent check on stage inputs. */
public final class SquadJson {
  private SquadJson() {}

  public static Dataset<Row> examples(SparkSession spark, Path file) {
    Dataset<Row> raw = spark.read().option("multiLine", true).json(file.toString());
    Dataset<Row> qas = raw.select(explode(col("data")).as("a"))
        .select(col("a.title").as("title"), explode(col("a.paragraphs")).as("p"))
        .select(col("title"), col("p.context").as("context"), explode(col("p.qas")).as("q"));
    boolean v2 = java.util.Arrays.asList(qas.select("q.*").columns()).contains("is_impossible");
    return qas.select(col("q.id").as("id"), col("title"), col("context"), col("q.question").as("question"),
        struct(col("q.answers.text").as("text"),
            col("q.answers.answer_start").cast("array<int>").as("answer_start")).as("answers"),
        (v2 ? coalesce(col("q.is_impossible"), lit(false)) : lit(false)).as("is_impossible"));
  }
}
