package io.qadistill.features;

import static org.apache.spark.sql.functions.col;

import io.qadistill.common.ProgressLog;
import io.qadistill.common.Quarantine;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.Tables;
import io.qadistill.common.UsageException;
import io.qadistill.model.MiniLmJar;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * featurize: examples → features, one row per overflow window, tokenized on the executors with one tokenizer
 * per partition. Examples that cannot be windowed (a question that leaves no room, or less room than the
 * stride) go to the quarantine table. Cost: one pass over the examples; a second pass that tokenizes only the
 * questions runs when the first one skipped examples, to write their quarantine rows. Nothing is collected
 * to the driver but counters.
 */
public record FeaturizeJob(FeaturizeConfig config) implements Stage<FeaturizeJob.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturizeJob.class);
  static final String REASON_QUESTION_TOO_LONG = "question_too_long";
  // Each partition costs a tokenizer and an output file (tens of ms); at ~1,000 examples/s per core a partition
  // of this size still reports progress every few seconds.
  private static final long ROWS_PER_PARTITION = 4_000;

  /** What featurize did. {@code examplesPerSecond} is over the tokenizing pass, session start-up excluded. */
  public record Result(long examples, long featurized, long windows, double windowsPerExampleMean,
      long windowsPerExampleMax, Map<String, Long> quarantinedByReason, double examplesPerSecond,
      double seconds, String features, String quarantine) {}

  @Override
  public String name() {
    return "featurize";
  }

  /** The examples, and the tokenizer when one is given (the bundled one is pinned by the project's version). */
  @Override
  public List<String> inputs() {
    return config.tokenizer() == null ? List.of(config.examples()) : List.of(config.examples(), config.tokenizer());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out(), config.quarantine());
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    long t0 = System.nanoTime();
    byte[] tokenizerJson = readTokenizer(spark, config.tokenizer());
    String source = config.tokenizer() == null ? "bundled " + MiniLmJar.TOKENIZER_RESOURCE : config.tokenizer();
    // Fail on the driver, before any task starts, if the tokenizer does not load or has no pair template.
    new WindowTokenizer(tokenizerJson, source, config.maxLength(), config.docStride()).close();

    Dataset<Row> stored = Tables.read(spark, config.examples(), "examples", "the --out directory of a 'read' run");
    long total = stored.count();
    // Parquet splits by bytes, but tokenizing costs by row: a 30 MB table is one split, one busy core and no
    // progress until it ends. Spread the rows over enough partitions for every core and a steady progress log,
    // a whole number of waves so that no core idles at the end. Hashing the id, not round-robin: round-robin
    // sorts every row first to be deterministic.
    int partitions = partitions(total, spark.sparkContext().defaultParallelism());
    Dataset<Row> examples = stored.repartition(partitions, col("id"));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> tokenizer = jsc.broadcast(tokenizerJson);
    LongAccumulator done = spark.sparkContext().longAccumulator("featurize.examples");
    LongAccumulator windows = spark.sparkContext().longAccumulator("featurize.windows");
    LongAccumulator skipped = spark.sparkContext().longAccumulator("featurize.skipped");
    MaxAccumulator maxWindows = new MaxAccumulator();
    spark.sparkContext().register(maxWindows, "featurize.maxWindows");

    String examplesPath = config.examples();
    int maxLength = config.maxLength();
    int docStride = config.docStride();
    MapPartitionsFunction<Row, Row> featurize = rows -> {
      WindowTokenizer tok = TokenizerPool.borrow(tokenizer.value(), source, maxLength, docStride);
      return new WindowRows(rows, tok, done, windows, skipped, maxWindows);
    };
    run.describe("featurize: tokenize " + total + " examples");
    long tStart = System.nanoTime();
    try (ProgressLog progress = ProgressLog.start("featurize", "examples", total, done::value,
        ProgressLog.interval(Duration.ofSeconds(10)))) {
      FeaturesTable.write(examples.mapPartitions(featurize, Encoders.row(FeaturesTable.SCHEMA)),
          run.staging(config.out()));
    }
    double tokenizeSeconds = (System.nanoTime() - tStart) / 1e9;

    Map<String, Long> quarantined = new TreeMap<>();
    if (skipped.value() > 0) {
      run.describe("featurize: quarantine " + skipped.value() + " examples");
      Dataset<Row> bad = examples.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
        WindowTokenizer tok = TokenizerPool.borrow(tokenizer.value(), source, maxLength, docStride);
        return quarantineRows(rows, tok, examplesPath);
      }, Encoders.row(Quarantine.SCHEMA));
      bad.write().parquet(run.staging(config.quarantine()));
      long written = spark.read().parquet(run.staging(config.quarantine())).count();
      if (written != skipped.value()) {
        throw new IllegalStateException("featurize skipped " + skipped.value() + " examples but quarantined "
            + written + ": the examples table changed while the job ran? Run featurize again.");
      }
      quarantined.put(REASON_QUESTION_TOO_LONG, written);
    } else {
      spark.createDataFrame(List.of(), Quarantine.SCHEMA).write().parquet(run.staging(config.quarantine()));
    }
    tokenizer.destroy();

    long featurized = done.value() - skipped.value();
    Result result = new Result(total, featurized, windows.value(),
        featurized == 0 ? 0 : (double) windows.value() / featurized, maxWindows.value(), quarantined,
        done.value() / tokenizeSeconds, (System.nanoTime() - t0) / 1e9, config.out(), config.quarantine());
    LOG.info("featurize: {} examples -> {} windows ({} per example, max {}), quarantined {}, {} examples/s",
        total, result.windows(), String.format("%.3f", result.windowsPerExampleMean()),
        result.windowsPerExampleMax(), quarantined, String.format("%.0f", result.examplesPerSecond()));
    return result;
  }

  /** {@link #ROWS_PER_PARTITION}-row partitions, rounded up to whole waves of {@code parallelism} tasks. */
  static int partitions(long rows, int parallelism) {
    long waves = Math.max(2, (rows + ROWS_PER_PARTITION * parallelism - 1) / (ROWS_PER_PARTITION * parallelism));
    return (int) Math.min(10_000L, waves * parallelism);
  }

  static byte[] readTokenizer(SparkSession spark, String path) {
    try {
      if (path == null) {
        try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
          return in.readAllBytes();
        }
      }
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.getFileStatus(p).isDirectory()) {
        p = new Path(p, "tokenizer.json");
      }
      try (InputStream in = fs.open(p)) {
        return in.readAllBytes();
      }
    } catch (java.io.FileNotFoundException e) {
      throw new UsageException("tokenizer " + path + " not found: give a tokenizer.json or a model directory "
          + "holding one", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + path, e);
    }
  }

  /** Quarantine rows for the examples of a partition that cannot be windowed. */
  private static Iterator<Row> quarantineRows(Iterator<Row> rows, WindowTokenizer tok, String file) {
    List<Row> out = new ArrayList<>();
    while (rows.hasNext()) {
      Row ex = rows.next();
      String why = tok.rejection(ex.<String>getAs("question"), ex.<String>getAs("context"));
      if (why != null) {
        out.add(RowFactory.create(ex.getAs("id"), file, null, REASON_QUESTION_TOO_LONG, why, ex.json()));
      }
    }
    return out.iterator();
  }
}
