package io.qadistill.features;

import java.io.Serializable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.FileFormat;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.immutable.Map;
import scala.collection.immutable.Seq;

/**
 * The features table's Parquet writer as a Spark file format ({@code write().format(this class's name)}), so that
 * Spark plans, runs and commits the write as it does for its own "parquet" (staging, task attempts, _SUCCESS),
 * while each task's rows go to a {@link FeaturesParquetWriter}. Write only: the files are plain Parquet, read
 * back with {@code spark.read().parquet}.
 */
public final class FeaturesParquetFormat implements FileFormat, Serializable {
  @Override
  public Option<StructType> inferSchema(SparkSession spark, Map<String, String> options, Seq<FileStatus> files) {
    return Option.empty();
  }

  @Override
  public OutputWriterFactory prepareWrite(SparkSession spark, Job job, Map<String, String> options,
      StructType schema) {
    FeaturesParquetWriter.parquetSchema(schema); // an unsupported column fails here, on the driver
    return new Factory(spark.version());
  }

  @Override
  public String toString() {
    return "features-parquet";
  }

  private static final class Factory extends OutputWriterFactory {
    private final String sparkVersion;

    Factory(String sparkVersion) {
      this.sparkVersion = sparkVersion;
    }

    @Override
    public String getFileExtension(TaskAttemptContext context) {
      return ".snappy.parquet";
    }

    @Override
    public OutputWriter newInstance(String path, StructType schema, TaskAttemptContext context) {
      return new FeaturesParquetWriter(path, schema, sparkVersion, context.getConfiguration());
    }
  }
}
