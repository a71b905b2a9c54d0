package io.qadistill.squad;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.qadistill.common.ProgressLog;
import io.qadistill.common.ReplacedDirectory;
import io.qadistill.common.Provenance;
import io.qadistill.common.Quarantine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads SQuAD JSON (v1.1 and v2.0 layouts) into the examples table, one row per question, and a quarantine table
 * for what cannot be kept, each with {@code _provenance.json} beside it.
 *
 * <p>How it runs and what it costs:
 * <ul>
 *   <li>The driver only lists the input files ({@link InputFiles}); their content never reaches it. Files are
 *       packed into tasks by size (about {@link #TASK_BYTES} each, at least the cluster's parallelism) and each
 *       is streamed ({@link SquadParser}), so a task's memory is bounded by the largest paragraph, not by the
 *       file: a 1 GB file needs no more executor memory than a 1 MB one. But a file is never split, so one large
 *       file is read by one core (train-v1.1, 30 MB: about a second of parsing); split very large inputs into
 *       several files to read them in parallel.</li>
 *   <li>The parsed rows are persisted (memory and disk) so that counting, the examples and the quarantine are
 *       computed from one parse.</li>
 *   <li>Duplicate ids, across all files: a window over (id, file rank, position) shuffles only those small
 *       columns; the first record in sorted-file and position order is kept, later ones are quarantined with a
 *       pointer to it. Only records that pass every other check take part, so a valid record is kept even when an
 *       invalid one with its id came first. The duplicates are joined back (a broadcast join when few).</li>
 *   <li>Both tables are written into hidden staging directories and moved into place only when both are
 *       complete ({@link ReplacedDirectory}); a rerun replaces them, a failed run leaves the previous ones.</li>
 * </ul>
 * Quarantine columns: id (null when the record has no string id), file, location (path in the file, or line and
 * column of a JSON error), reason ({@link Reason#code()}), detail (a sentence for humans), raw (the record's JSON
 * as in the file, without its context; null for a malformed file).
 */
public final class ReadJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReadJob.class);

  /** The rows the executors produce: every record, kept or not, with its file rank and position. */
  static final StructType PARSED = new StructType()
      .add("file_index", DataTypes.IntegerType, false)
      .add("position", DataTypes.LongType, false)
      .add("file", DataTypes.StringType, false)
      .add("location", DataTypes.StringType, false)
      .add("id", DataTypes.StringType, true)
      .add("title", DataTypes.StringType, true)
      .add("context", DataTypes.StringType, true)
      .add("question", DataTypes.StringType, true)
      .add("answers", new StructType()
          .add("text", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("answer_start", DataTypes.createArrayType(DataTypes.IntegerType, false), false), true)
      .add("is_impossible", DataTypes.BooleanType, true)
      .add("corrections", DataTypes.IntegerType, false)
      .add("reason", DataTypes.StringType, true)
      .add("detail", DataTypes.StringType, true)
      .add("raw", DataTypes.StringType, true);

  /** The examples table's columns, as Hugging Face's squad / squad_v2 datasets plus is_impossible. */
  public static final List<String> EXAMPLE_COLUMNS =
      List.of("id", "title", "context", "question", "answers", "is_impossible");
  /** The quarantine table's columns. */

  /** About how many input bytes one task reads, when files can be grouped (a file is never split). */
  static final long TASK_BYTES = 64L << 20;

  private final ReadConfig config;

  public ReadJob(ReadConfig config) {
    this.config = config;
  }

  /** Reads, checks, writes both tables and returns the counts; throws UsageException for an input not found. */
  public ReadResult run(SparkSession spark) {
    long startNanos = System.nanoTime();
    SparkContext sc = spark.sparkContext();
    List<InputFile> files = InputFiles.list(config.inputs(), sc.hadoopConfiguration());
    ReplacedDirectory examplesOut = new ReplacedDirectory(config.examples(), sc.hadoopConfiguration());
    ReplacedDirectory quarantineOut = new ReplacedDirectory(config.quarantine(), sc.hadoopConfiguration());
    LOG.info("read: {} file(s) -> {} (quarantine {})", files.size(), examplesOut.target(), quarantineOut.target());

    sc.setJobGroup("read", "read " + files.size() + " SQuAD file(s)", false);
    LongAccumulator progress = sc.longAccumulator("read records");
    Map<String, String> conf = new HashMap<>();
    sc.hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
    // The executors open the files with the driver's Hadoop settings (credentials, endpoints), sent once.
    Broadcast<Map<String, String>> hadoopConf = JavaSparkContext.fromSparkContext(sc).broadcast(conf);
    Dataset<Row> parsed = parse(spark, files, hadoopConf, progress);
    Dataset<Row> duplicates = duplicates(parsed);
    try {
      Dataset<Row> records = parsed.join(duplicates, new String[] {"file_index", "position"}, "left_outer")
          .withColumn("reason", coalesce(col("reason"),
              when(col("duplicate_of").isNotNull(), lit(Reason.DUPLICATE_ID.code()))))
          .withColumn("detail", coalesce(col("detail"),
              concat(lit("duplicate of the record at "), col("duplicate_of"))));

      // The first action parses and fills both caches; run alone so no two stages parse the same file at once.
      sc.setJobDescription("read: parse, check and find duplicate ids");
      try (ProgressLog log = ProgressLog.start("read", "records", 0, progress::value, Duration.ofSeconds(10))) {
        duplicates.count();
      }
      Counts counts = tally(sc, records);

      sc.setJobDescription("read: write examples");
      records.filter(col("reason").isNull())
          .select(columns(EXAMPLE_COLUMNS))
          .write().mode("overwrite").parquet(examplesOut.staging());
      sc.setJobDescription("read: write quarantine");
      records.filter(col("reason").isNotNull())
          .select(columns(List.of(Quarantine.SCHEMA.fieldNames())))
          .write().mode("overwrite").parquet(quarantineOut.staging());
      Provenance provenance = Provenance.of(spark, "read", config, files.stream().map(InputFile::path).toList());
      provenance.writeInto(spark, examplesOut.staging());
      provenance.writeInto(spark, quarantineOut.staging());
      examplesOut.publish();
      quarantineOut.publish();

      double seconds = (System.nanoTime() - startNanos) / 1e9;
      ReadResult result = new ReadResult(files.size(), counts.read, counts.kept, counts.impossible,
          counts.read - counts.kept, counts.byReason, counts.corrections, counts.malformedFiles, seconds,
          counts.kept / seconds, examplesOut.target(), quarantineOut.target());
      LOG.info("read: {} files, {} records read, {} kept ({} impossible), {} quarantined {}, {} answer_start "
              + "corrections, malformed files {}, {} examples/s", result.files(), result.read(), result.kept(),
          result.impossible(), result.quarantined(), result.quarantinedByReason(), result.answerStartCorrections(),
          result.malformedFiles(), String.format("%.0f", result.examplesPerSecond()));
      return result;
    } catch (RuntimeException e) {
      examplesOut.discard();
      quarantineOut.discard();
      throw e;
    } finally {
      duplicates.unpersist();
      parsed.unpersist();
      hadoopConf.destroy();
      sc.clearJobGroup();
    }
  }

  /** Files streamed on the executors, grouped into tasks by size; persisted because three actions read it. */
  private static Dataset<Row> parse(SparkSession spark, List<InputFile> files,
      Broadcast<Map<String, String>> hadoopConf, LongAccumulator records) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<InputFile>> groups = InputFiles.groups(files, jsc.defaultParallelism(), TASK_BYTES);
    return spark.createDataFrame(
            jsc.parallelize(groups, groups.size()).mapPartitions(new ParseFiles(hadoopConf, records)), PARSED)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** (file_index, position, duplicate_of) of each valid record whose id an earlier valid record has. */
  private static Dataset<Row> duplicates(Dataset<Row> parsed) {
    var byId = Window.partitionBy("id").orderBy("file_index", "position");
    return parsed.filter(col("reason").isNull())
        .select(col("id"), col("file_index"), col("position"),
            row_number().over(byId).as("rank"),
            first(concat(col("file"), lit(" "), col("location"))).over(byId).as("duplicate_of"))
        .filter(col("rank").gt(1))
        .select("file_index", "position", "duplicate_of")
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private record Counts(long read, long kept, long impossible, long corrections, Map<String, Long> byReason,
      List<String> malformedFiles) {}

  /** One aggregation over the (cached) records. */
  private static Counts tally(SparkContext sc, Dataset<Row> records) {
    sc.setJobDescription("read: count");
    List<Row> groups = records.groupBy("reason")
        .agg(count(lit(1)).as("records"),
            sum("corrections").as("corrections"),
            sum(when(col("is_impossible"), 1).otherwise(0)).as("impossible"),
            collect_set(when(col("reason").equalTo(Reason.MALFORMED_JSON.code()), col("file"))).as("malformed"))
        .collectAsList();
    long read = 0;
    long kept = 0;
    long impossible = 0;
    long corrections = 0;
    Map<String, Long> byReason = new TreeMap<>();
    List<String> malformed = new ArrayList<>();
    for (Row g : groups) {
      long n = g.getLong(1);
      read += n;
      if (g.isNullAt(0)) {
        kept = n;
        corrections = g.getLong(2);
        impossible = g.getLong(3);
      } else {
        byReason.put(g.getString(0), n);
        malformed.addAll(g.getList(4));
      }
    }
    malformed.sort(null);
    return new Counts(read, kept, impossible, corrections, byReason, malformed);
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(functions::col).toArray(Column[]::new);
  }
}
