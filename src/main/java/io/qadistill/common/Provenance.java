package io.qadistill.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What made an output: the job, its configuration, its inputs, the versions and the git commit. Written as
 * {@code _provenance.json} inside the output directory (Spark and Parquet readers skip files starting with
 * an underscore), so the record travels with the table.
 */
public record Provenance(
    String job, Object config, List<String> inputs, Map<String, String> versions, String gitCommit, String createdAt) {

  public static final String FILE_NAME = "_provenance.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static Provenance of(SparkSession spark, String job, Object config, List<String> inputs) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("qadistill", String.valueOf(Provenance.class.getPackage().getImplementationVersion()));
    versions.put("spark", spark.version());
    versions.put("java", System.getProperty("java.version"));
    versions.put("djl", "0.35.1");
    return new Provenance(job, config, inputs, versions,
        System.getProperty("qadistill.git.commit", "unknown"), Instant.now().toString());
  }

  /** Writes this record into {@code dir} on whatever file system the path names (local, HDFS, S3). */
  public void writeInto(SparkSession spark, String dir) {
    Path path = new Path(dir, FILE_NAME);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true)) {
        JSON.writeValue(out, this);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }
}
