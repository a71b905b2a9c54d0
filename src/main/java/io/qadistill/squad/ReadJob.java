package io.qadistill.squad;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.qadistill.common.ProgressLog;
import io.qadistill.common.Quarantine;
import io.qadistill.common.ReplacedDirectory;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
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
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads question-answering data into the examples table ({@link ExamplesTable}), one row per question, and a
 * quarantine table for what cannot be kept, each with {@code _provenance.json} beside it. Inputs
 * ({@link InputFormat}): SQuAD JSON (v1.1 and v2.0 layouts), or Hugging Face {@code datasets}' flat layout as
 * Parquet, JSON Lines or a table of the session's catalog, with the same checks ({@link ExampleChecks}) and the same
 * quarantine either way.
 *
 * <p>How it runs and what it costs:
 * <ul>
 *   <li>Files (SQuAD JSON, JSON Lines): the driver only lists them ({@link InputFiles}; for JSON Lines it also
 *       reads the first records of the first file, to check the column mapping). Files are packed into tasks by size
 *       (about {@link #TASK_BYTES} each, at least the cluster's parallelism) and each is streamed
 *       ({@link SquadParser}, {@link JsonLinesParser}), so a task's memory is bounded by the largest paragraph or
 *       line, not by the file: a 1 GB file needs no more executor memory than a 1 MB one. But a file is never
 *       split, so one large file is read by one core (train-v1.1, 30 MB: about a second of parsing); split very
 *       large inputs into several files to read them in parallel.</li>
 *   <li>Parquet and tables: Spark's own scan, split as Spark splits it; the driver checks the schema against the
 *       column mapping first ({@link TableInput}), then each row is checked on the executors
 *       ({@link TableRecords}).</li>
 *   <li>The checked rows are persisted (memory and disk) so that counting, the examples and the quarantine are
 *       computed from one read.</li>
 *   <li>Duplicate ids, across all inputs: a window over (id, file rank, position) shuffles only those small
 *       columns; the first record in sorted-file and position order is kept, later ones are quarantined with a
 *       pointer to it. Only records that pass every other check take part, so a valid record is kept even when an
 *       invalid one with its id came first. The duplicates are joined back (a broadcast join when few).</li>
 *   <li>Both tables are written into hidden staging directories and moved into place only when both are
 *       complete ({@link ReplacedDirectory}, by the {@link Stage} contract); a rerun replaces them, a failed run
 *       leaves the previous ones.</li>
 * </ul>
 * Quarantine columns: id (null when the record has no string id), file (a table's data file, or its name),
 * location (path in the file, line of a JSON Lines file, row of a Parquet file from 0, line and column of a JSON
 * error; null for a row of a table whose files are not known), reason ({@link Reason#code()}), detail (a sentence
 * for humans), raw (the record's JSON as in the input, without its context; null for a malformed file).
 */
public record ReadJob(ReadConfig config) implements Stage<ReadResult> {
  private static final Logger LOG = LoggerFactory.getLogger(ReadJob.class);

  /** About how many input bytes one task reads, when files can be grouped (a file is never split). */
  static final long TASK_BYTES = 64L << 20;

  /** What the executors produce and what it was read from. */
  private record Parsed(Dataset<Row> rows, int files) {}

  @Override
  public String name() {
    return "read";
  }

  /** The paths, directories or globs given (or the catalog table's name, which has no fingerprint). */
  @Override
  public List<String> inputs() {
    return config.input().paths();
  }

  @Override
  public List<String> outputs() {
    return List.of(config.examples(), config.quarantine());
  }

  /** Reads, checks, writes both tables and returns the counts; throws UsageException for an input not found. */
  @Override
  public ReadResult execute(SparkSession spark, StageRun run) {
    long startNanos = System.nanoTime();
    SparkContext sc = spark.sparkContext();
    ReadInput input = config.input();
    LongAccumulator progress = sc.longAccumulator("read records");
    List<Runnable> cleanUp = new ArrayList<>();
    Parsed parsed = parse(spark, input, progress, cleanUp);
    LOG.info("read: {} ({} file(s)) -> {} (quarantine {})", input.format(), parsed.files(), config.examples(),
        config.quarantine());
    run.describe("read " + parsed.files() + " " + input.format() + " file(s)");
    Dataset<Row> rows = parsed.rows().persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> duplicates = duplicates(rows);
    try {
      Dataset<Row> records = rows.join(duplicates, new String[] {"file_index", "position"}, "left_outer")
          .withColumn("reason", coalesce(col("reason"),
              when(col("duplicate_of").isNotNull(), lit(Reason.DUPLICATE_ID.code()))))
          .withColumn("detail", coalesce(col("detail"),
              concat(lit("duplicate of the record at "), col("duplicate_of"))));

      // The first action reads and fills both caches; run alone so no two stages read the same input at once.
      run.describe("read: parse, check and find duplicate ids");
      try (ProgressLog log = ProgressLog.start("read", "records", 0, progress::value, Duration.ofSeconds(10))) {
        duplicates.count();
      }
      run.describe("read: count");
      Counts counts = tally(records);

      run.describe("read: write examples");
      records.filter(col("reason").isNull())
          .select(columns(ExamplesTable.COLUMNS))
          .write().parquet(run.staging(config.examples()));
      run.describe("read: write quarantine");
      records.filter(col("reason").isNotNull())
          .select(columns(List.of(Quarantine.SCHEMA.fieldNames())))
          .write().parquet(run.staging(config.quarantine()));

      double seconds = (System.nanoTime() - startNanos) / 1e9;
      ReadResult result = new ReadResult(parsed.files(), counts.read, counts.kept, counts.impossible,
          counts.read - counts.kept, counts.byReason, counts.corrections, counts.malformedFiles, seconds,
          counts.kept / seconds, config.examples(), config.quarantine());
      LOG.info("read: {} files, {} records read, {} kept ({} impossible), {} quarantined {}, {} answer_start "
              + "corrections, malformed files {}, {} examples/s", result.files(), result.read(), result.kept(),
          result.impossible(), result.quarantined(), result.quarantinedByReason(), result.answerStartCorrections(),
          result.malformedFiles(), String.format("%.0f", result.examplesPerSecond()));
      return result;
    } finally {
      duplicates.unpersist();
      rows.unpersist();
      cleanUp.forEach(Runnable::run);
    }
  }

  /** The input's records, checked on the executors, as {@link ParsedRows}; not yet computed. */
  private static Parsed parse(SparkSession spark, ReadInput input, LongAccumulator records, List<Runnable> cleanUp) {
    if (input.format() == InputFormat.PARQUET || input.format() == InputFormat.TABLE) {
      TableInput.Parsed table = TableInput.parse(spark, input, records);
      return new Parsed(table.rows(), table.files());
    }
    SparkContext sc = spark.sparkContext();
    List<InputFile> files = InputFiles.list(input.paths(), input.format(), sc.hadoopConfiguration());
    if (input.format() == InputFormat.JSONL) {
      JsonLinesParser.checkColumns(files.get(0), input.columns(), sc.hadoopConfiguration());
    }
    Map<String, String> conf = new HashMap<>();
    sc.hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    // The executors open the files with the driver's Hadoop settings (credentials, endpoints), sent once.
    Broadcast<Map<String, String>> hadoopConf = jsc.broadcast(conf);
    cleanUp.add(hadoopConf::destroy);
    List<List<InputFile>> groups = InputFiles.groups(files, jsc.defaultParallelism(), TASK_BYTES);
    Dataset<Row> rows = spark.createDataFrame(jsc.parallelize(groups, groups.size())
        .mapPartitions(new ParseFiles(hadoopConf, records, input.format(), input.columns())), ParsedRows.SCHEMA);
    return new Parsed(rows, files.size());
  }

  /** (file_index, position, duplicate_of) of each valid record whose id an earlier valid record has. */
  private static Dataset<Row> duplicates(Dataset<Row> parsed) {
    var byId = Window.partitionBy("id").orderBy("file_index", "position");
    return parsed.filter(col("reason").isNull())
        .select(col("id"), col("file_index"), col("position"),
            row_number().over(byId).as("rank"),
            first(concat_ws(" ", col("file"), col("location"))).over(byId).as("duplicate_of"))
        .filter(col("rank").gt(1))
        .select("file_index", "position", "duplicate_of")
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private record Counts(long read, long kept, long impossible, long corrections, Map<String, Long> byReason,
      List<String> malformedFiles) {}

  /** One aggregation over the (cached) records. */
  private static Counts tally(Dataset<Row> records) {
    List<Row> groups = records.groupBy("reason")
        .agg(count(lit(1)).as("records"),
            sum("corrections").as("corrections"),
            sum(when(col("is_impossible"), 1).otherwise(0)).as("impossible"),
            collect_set(when(col("reason").isin(Reason.MALFORMED_JSON.code(), Reason.CORRUPT_FILE.code()),
                col("file"))).as("malformed"))
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
