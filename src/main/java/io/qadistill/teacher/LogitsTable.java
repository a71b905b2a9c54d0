package io.qadistill.teacher;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;

import io.qadistill.common.Provenance;
import io.qadistill.common.Quarantine;
import io.qadistill.common.StagedOutput;
import io.qadistill.common.Tables;
import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logits table and its layout on disk. One directory holds the logits of any number of teachers, each run's
 * rows in a directory of their own, committed by one rename:
 * <pre>
 * LOGITS/teacher=&lt;fingerprint&gt;/run=&lt;n&gt;/part-*.parquet    example_id, window, start_logits, end_logits
 * LOGITS/teacher=&lt;fingerprint&gt;/run=&lt;n&gt;/_provenance.json
 * LOGITS/_quarantine/teacher=&lt;fingerprint&gt;/run=&lt;n&gt;/      feature rows the teacher could not take
 * LOGITS/_staging/&lt;uuid&gt;/                                  a run being written (Spark and Parquet skip "_" names)
 * </pre>
 * {@code teacher} and {@code run} are Hive-style partition directories, so Spark, pyarrow and Hugging Face
 * {@code datasets} read LOGITS as one table with those two columns; a run only ever adds a directory. The same
 * table may also be one Parquet directory with a {@code teacher} column ({@link #SCHEMA}), as {@code predict}
 * writes the logits of the model it ran; {@link #readOne} reads either.
 */
public final class LogitsTable {
  private static final Logger LOG = LoggerFactory.getLogger(LogitsTable.class);
  public static final String START_LOGITS = "start_logits";
  public static final String END_LOGITS = "end_logits";
  public static final String TEACHER = "teacher";
  public static final String RUN = "run";
  static final String QUARANTINE_DIR = "_quarantine";
  static final String STAGING_DIR = "_staging";

  private static final ArrayType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);

  /** What a run's Parquet files hold; teacher and run come from the directory names. */
  public static final StructType FILE_SCHEMA = new StructType()
      .add(FeaturesTable.EXAMPLE_ID, DataTypes.StringType, false)
      .add(FeaturesTable.WINDOW, DataTypes.IntegerType, false)
      .add(START_LOGITS, FLOATS, false)
      .add(END_LOGITS, FLOATS, false);

  /** The logits table as {@link #read} returns it: the features' key, one logit per token, the fingerprint. */
  public static final StructType SCHEMA = FILE_SCHEMA.add(TEACHER, DataTypes.StringType, false);

  private LogitsTable() {}

  /**
   * The logits under {@code path}: of the teacher with {@code fingerprint}, or of every teacher when it is
   * null; each feature row at most once per teacher. Empty (with the schema) when nothing was committed yet.
   */
  public static Dataset<Row> read(SparkSession spark, String path, String fingerprint) {
    return readRuns(spark, path, SCHEMA, fingerprint).drop(RUN);
  }

  /** The quarantined feature rows of a teacher (or all teachers): {@link Quarantine#SCHEMA} plus teacher. */
  public static Dataset<Row> readQuarantine(SparkSession spark, String path, String fingerprint) {
    String dir = new Path(path, QUARANTINE_DIR).toString();
    return readRuns(spark, dir, Quarantine.SCHEMA.add(TEACHER, DataTypes.StringType, false), fingerprint)
        .drop(RUN);
  }

  /**
   * The logits of one teacher under {@code path}, in either layout: the teacher with {@code fingerprint}, or the only
   * one there when it is null. Each feature row once. A path with no table, or with several teachers' logits and no
   * fingerprint, is a {@link UsageException} naming the {@code option} that gave it (and the teachers).
   */
  public static Dataset<Row> readOne(SparkSession spark, String path, String fingerprint, String option) {
    Dataset<Row> logits;
    if (exists(spark, new Path(path, TEACHER + "=*"))) {
      logits = read(spark, path, fingerprint);
    } else {
      logits = Tables.read(spark.read().schema(SCHEMA), path, "logits",
          option + " the --out of 'teacher-logits' (or the logits/ of a 'predict' run)");
      if (fingerprint != null) {
        logits = logits.where(col(TEACHER).equalTo(fingerprint));
      }
    }
    if (fingerprint == null) {
      List<String> teachers = new ArrayList<>();
      for (Row r : logits.select(TEACHER).distinct().limit(5).collectAsList()) {
        teachers.add(r.getString(0));
      }
      if (teachers.size() > 1) {
        throw new UsageException(path + " holds the logits of several teachers (" + String.join(", ", teachers)
            + (teachers.size() == 5 ? ", …" : "") + "): choose one with --teacher");
      }
    }
    return logits;
  }

  /** The feature keys (example_id, window) a teacher already has logits or a quarantine row for. */
  static Dataset<Row> doneKeys(SparkSession spark, String path, String fingerprint) {
    Dataset<Row> scored = read(spark, path, fingerprint).select("example_id", "window");
    // a quarantine row's raw column is the feature row as read, key included
    Dataset<Row> refused = readQuarantine(spark, path, fingerprint).select(col("id").as("example_id"),
        get_json_object(col("raw"), "$.window").cast(DataTypes.IntegerType).as("window"));
    return scored.union(refused);
  }

  private static Dataset<Row> readRuns(SparkSession spark, String dir, StructType schema, String fingerprint) {
    StructType withRun = schema.add(RUN, DataTypes.IntegerType, false);
    // The teacher directories, not DIR itself: Spark warns about a path whose last name starts with "_".
    Path teachers = new Path(dir, TEACHER + "=" + (fingerprint == null ? "*" : fingerprint));
    if (!exists(spark, teachers)) {
      return spark.createDataFrame(List.of(), withRun);
    }
    // the schema given, so partition values are never type-guessed (a fingerprint of digits stays a string)
    return spark.read().schema(withRun).option("basePath", dir).parquet(teachers.toString());
  }

  static Path runDir(String out, String fingerprint, int run) {
    return new Path(new Path(out, TEACHER + "=" + fingerprint), RUN + "=" + run);
  }

  static Path quarantineDir(String out, String fingerprint, int run) {
    return new Path(new Path(new Path(out, QUARANTINE_DIR), TEACHER + "=" + fingerprint), RUN + "=" + run);
  }

  /** One more than the highest run of this teacher, in the logits or the quarantine (1 for the first). */
  static int nextRun(FileSystem fs, String out, String fingerprint) throws IOException {
    int max = 0;
    for (Path teacherDir : List.of(runDir(out, fingerprint, 0).getParent(),
        quarantineDir(out, fingerprint, 0).getParent())) {
      if (!fs.exists(teacherDir)) {
        continue;
      }
      for (FileStatus s : fs.listStatus(teacherDir)) {
        String name = s.getPath().getName();
        if (s.isDirectory() && name.matches(RUN + "=\\d+")) {
          max = Math.max(max, Integer.parseInt(name.substring(RUN.length() + 1)));
        }
      }
    }
    return max + 1;
  }

  /**
   * How a teacher-logits run publishes: its directories are staged in {@code LOGITS/_staging/<uuid>/} at the
   * places they take in the table ({@link #runDir}, {@link #quarantineDir} under the staging directory), and
   * {@link #publish} moves each to the same place in the table by one rename, quarantine first (if the second
   * rename never happens, a rerun skips the refused rows and scores the rest), the run's provenance copied into
   * each. What is in the table stays: runs only add directories.
   */
  public static final class NewRuns extends StagedOutput {
    public NewRuns(String target, Configuration hadoop) {
      super(target, hadoop, t -> new Path(new Path(t, STAGING_DIR), UUID.randomUUID().toString()));
    }

    /** None: the table is never made whole by one run, each run adds what is missing. */
    @Override
    public String provenance() {
      return null;
    }

    @Override
    public void publish() {
      try {
        List<Path> runs = new ArrayList<>(staged(new Path(new Path(staging, QUARANTINE_DIR), TEACHER + "=*/"
            + RUN + "=*")));
        runs.addAll(staged(new Path(staging, TEACHER + "=*/" + RUN + "=*")));
        Path provenance = new Path(staging, Provenance.FILE_NAME);
        for (Path run : runs) {
          Path to = new Path(target, run.toUri().getPath().substring(staging.toUri().getPath().length() + 1));
          if (fs.exists(to)) {
            throw new IllegalStateException(to + " appeared while this run was writing: two runs over one "
                + "logits directory at once? Nothing more of this run was committed there; run it again alone.");
          }
          if (fs.exists(provenance)) {
            FileUtil.copy(fs, provenance, fs, new Path(run, Provenance.FILE_NAME), false, fs.getConf());
          }
          fs.mkdirs(to.getParent());
          if (!fs.rename(run, to)) {
            throw new IOException("cannot rename " + run + " to " + to);
          }
        }
        fs.delete(staging, true);
      } catch (IOException e) {
        throw new UncheckedIOException("teacher-logits: cannot commit into " + target, e);
      }
    }

    private List<Path> staged(Path glob) throws IOException {
      FileStatus[] found = fs.globStatus(glob);
      return found == null ? List.of() : Arrays.stream(found).map(FileStatus::getPath).sorted().toList();
    }
  }

  /**
   * Removes what runs that died left beside {@code staging} (a run's, in {@code _staging}): runs over one
   * directory do not overlap.
   */
  static void clearDeadRuns(FileSystem fs, Path staging) throws IOException {
    Path dir = staging.getParent();
    if (fs.exists(dir)) {
      for (FileStatus s : fs.listStatus(dir)) {
        if (!s.getPath().getName().equals(staging.getName())) {
          LOG.info("teacher-logits: removing {} left by a run that did not finish", s.getPath());
          fs.delete(s.getPath(), true);
        }
      }
    }
  }

  /** Whether {@code path} (a glob) names anything. */
  private static boolean exists(SparkSession spark, Path path) {
    try {
      FileStatus[] found = path.getFileSystem(spark.sparkContext().hadoopConfiguration()).globStatus(path);
      return found != null && found.length > 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look at " + path, e);
    }
  }
}
