package io.qadistill.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;
import org.apache.spark.sql.SparkSession;

/**
 * What made an output: the stage, its configuration, its inputs (each with a fingerprint of what it held then),
 * the versions and the git commit. Written as {@code _provenance.json} inside the output directory (Spark and
 * Parquet readers skip files starting with an underscore), so the record travels with the table.
 */
public record Provenance(
    String job, Object config, List<Input> inputs, Map<String, String> versions, String gitCommit, String createdAt) {

  public static final String FILE_NAME = "_provenance.json";
  // a java.nio Path as its text: Jackson's default writes its URI, which ends in "/" only while the directory
  // exists, so a configuration recorded in a staging directory would never equal itself once published
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .registerModule(new SimpleModule().addSerializer(java.nio.file.Path.class, ToStringSerializer.instance));

  /** An input path and its {@link InputFingerprint} when the stage read it. */
  public record Input(String path, String fingerprint) {
    /** Each path with its fingerprint now. */
    public static List<Input> of(List<String> paths, Configuration hadoop) {
      return paths.stream().map(p -> new Input(p, InputFingerprint.of(p, hadoop))).toList();
    }
  }

  /** The record of a run that ends now, that read {@code inputs} (fingerprinted before it read them). */
  public static Provenance made(SparkSession spark, String job, Object config, List<Input> inputs) {
    return new Provenance(job, config, inputs, versions(spark), System.getProperty("qadistill.git.commit", "unknown"),
        Instant.now().toString());
  }

  /** As {@link #made}, with the inputs fingerprinted now. */
  public static Provenance of(SparkSession spark, String job, Object config, List<String> inputs) {
    return made(spark, job, config, Input.of(inputs, spark.sparkContext().hadoopConfiguration()));
  }

  /**
   * {@code config} as a provenance file holds it, read back: through JSON text, since a tree made from the object
   * holds a long as a LongNode while the text of 42 reads back as an IntNode, and the two are never equal.
   */
  public static JsonNode configAsWritten(Object config) {
    try {
      return JSON.readTree(JSON.writeValueAsString(config));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the configuration " + config + " as JSON", e);
    }
  }

  /** The versions of this project and of the libraries that shape its outputs, as found on the classpath. */
  static Map<String, String> versions(SparkSession spark) {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("qadistill", projectVersion());
    versions.put("spark", spark.version());
    versions.put("scala", scala.util.Properties.versionNumberString());
    versions.put("hadoop", VersionInfo.getVersion());
    versions.put("djl", ai.djl.engine.Engine.getDjlVersion());
    versions.put("java", System.getProperty("java.version"));
    return versions;
  }

  /** The pom's version, which the build writes into {@code qadistill-version.properties}. */
  public static String projectVersion() {
    try (InputStream in = Provenance.class.getResourceAsStream("/qadistill-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
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
