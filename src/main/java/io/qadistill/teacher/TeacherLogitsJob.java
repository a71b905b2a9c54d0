package io.qadistill.teacher;

import ai.djl.Device;
import io.qadistill.common.Output;
import io.qadistill.common.ProgressLog;
import io.qadistill.common.Quarantine;
import io.qadistill.common.Stage;
import io.qadistill.common.StageRun;
import io.qadistill.common.TaskCounter;
import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelCache;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaScorer;
import io.qadistill.model.ScoringModel;
import io.qadistill.model.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * teacher-logits: features → the teacher's start and end logits for every feature row that does not have them
 * yet, incrementally and atomically (layout in {@link LogitsTable}).
 *
 * <p>A run anti-joins the features with the keys this teacher fingerprint already has (logits or quarantine),
 * spreads the missing rows over tasks of about {@code rowsPerTask} rows, and on each executor scores them with
 * the teacher from the per-JVM {@link ModelCache}, batched by length ({@link QaScorer}): by default with ONNX
 * Runtime on CPU tasks (one session per executor JVM, shared by its tasks, {@code spark.task.cpus} intra-op threads)
 * and with PyTorch on the task's GPU when Spark gave it one ({@link io.qadistill.model.ScoringRuntime}). The run's
 * directories (logits, quarantine) are written into its staging directory and added to the table by one rename each
 * when the stage is published ({@link LogitsTable.NewRuns}): a failed run leaves nothing visible, a rerun computes
 * what is missing, and a run with nothing missing adds nothing. Runs over one LOGITS directory must not overlap (a
 * schedule wraps the job in {@code flock}, see jobs/teacher-logits.cron).
 *
 * <p>Cost: the features are read four times (two counts, the quarantine check, scoring), each time anti-joined
 * with this teacher's keys (a shuffle, or a broadcast when they are few), and the scoring pass shuffles the
 * missing rows once more to spread them over tasks; only counters come back to the driver. The driver also reads
 * the weights once to fingerprint them, makes the teacher's ONNX graph when it is missing or stale (kept in the
 * teacher's directory, so once per teacher), and opens the teacher once to fail early when it does not load (in
 * local mode the tasks then reuse that copy).
 */
public record TeacherLogitsJob(TeacherLogitsConfig config) implements Stage<TeacherLogitsJob.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(TeacherLogitsJob.class);
  private static final Duration PROGRESS_EVERY = ProgressLog.interval(Duration.ofSeconds(10));
  private static final String[] FEATURE_COLUMNS = {FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW,
      FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS};

  /**
   * What a run did. {@code skipped}: feature rows this teacher already had (logits or quarantine);
   * {@code windowsPerSecond}: rows scored per second of the scoring pass; {@code run}/{@code quarantine}: the
   * directories committed (null when there was nothing to commit).
   */
  public record Result(String teacher, String runtime, long features, long scored, long skipped, long quarantined,
      Map<String, Long> quarantinedByReason, double windowsPerSecond, double seconds, String out, String run,
      String quarantine) {}

  @Override
  public String name() {
    return "teacher-logits";
  }

  @Override
  public List<String> inputs() {
    return List.of(config.features(), config.teacher());
  }

  @Override
  public List<String> outputs() {
    return List.of(config.out());
  }

  /** Adds this run's directories to the table ({@link LogitsTable.NewRuns}); what is there stays. */
  @Override
  public Output output(String target, Configuration hadoop) {
    return new LogitsTable.NewRuns(target, hadoop);
  }

  @Override
  public Result execute(SparkSession spark, StageRun run) {
    long t0 = System.nanoTime();
    run.describe("teacher-logits: load the teacher");
    String fingerprint = ModelFingerprint.of(spark.sparkContext().hadoopConfiguration(), config.teacher());
    ScoringModel scoring = loading(config.teacher(), "", () -> ScoringModel.prepare(localPath(config.teacher()),
        config.runtime(), config.int8(), TaskDevice.gpuTasks(spark.sparkContext().getConf()), () -> fingerprint));
    // Fails here, before any task, when the teacher does not load; local tasks reuse this CPU copy.
    FeatureCheck check = FeatureCheck.of(teacher(scoring, Device.cpu(),
        config.threads(spark.sparkContext().getConf().getInt("spark.task.cpus", 1))).limits());

    Dataset<Row> features = FeaturesTable.read(spark, config.features(), FEATURE_COLUMNS);
    Dataset<Row> missing = features.join(LogitsTable.doneKeys(spark, config.out(), fingerprint),
        new String[] {FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW}, "left_anti");
    run.describe("teacher-logits: count rows without logits");
    long total = features.count();
    long toDo = missing.count();
    if (toDo == 0) {
      LOG.info("teacher-logits: all {} feature rows already have logits of teacher {}", total, fingerprint);
      return new Result(fingerprint, scoring.describe(), total, 0, total, 0, Map.of(), 0,
          (System.nanoTime() - t0) / 1e9, config.out(), null, null);
    }

    String staging = run.staging(config.out());
    FileSystem fs = fileSystem(spark, config.out());
    try {
      LogitsTable.clearDeadRuns(fs, new Path(staging));
      int next = LogitsTable.nextRun(fs, config.out(), fingerprint);
      run.describe("teacher-logits: check " + toDo + " rows");
      Path quarantined = LogitsTable.quarantineDir(staging, fingerprint, next);
      String featuresPath = config.features();
      missing.mapPartitions((MapPartitionsFunction<Row, Row>) it -> refuse(it, check, featuresPath),
          Encoders.row(Quarantine.SCHEMA)).write().parquet(quarantined.toString());
      Map<String, Long> byReason = new TreeMap<>();
      for (Row r : spark.read().parquet(quarantined.toString()).groupBy("reason").count().collectAsList()) {
        byReason.put(r.getString(0), r.getLong(1));
      }
      long refused = byReason.values().stream().mapToLong(Long::longValue).sum();
      if (refused == 0) {
        fs.delete(quarantined, true); // an empty quarantine is not committed
      }

      long scored = 0;
      double scoreSeconds = 0;
      Path logits = LogitsTable.runDir(staging, fingerprint, next);
      if (toDo > refused) {
        run.describe("teacher-logits: score " + (toDo - refused) + " rows with teacher " + fingerprint);
        // Row counts, not Parquet bytes, decide the tasks: scoring costs per row, and small tasks give a steady
        // progress log and cheap retries.
        int tasks = (int) Math.max(spark.sparkContext().defaultParallelism(),
            Math.min(100_000L, (toDo + config.rowsPerTask() - 1) / config.rowsPerTask()));
        TaskCounter counter = TaskCounter.start(spark.sparkContext(), "teacher-logits.rows");
        LongAccumulator done = counter.accumulator();
        TeacherLogitsConfig config = this.config; // a local: the task closure must not capture this stage
        long tScore = System.nanoTime();
        try (counter; ProgressLog progress = ProgressLog.start("teacher-logits", "windows", toDo - refused, counter,
            PROGRESS_EVERY)) {
          missing.repartition(tasks)
              .mapPartitions((MapPartitionsFunction<Row, Row>) it -> score(it, scoring, config, check, done),
                  Encoders.row(LogitsTable.FILE_SCHEMA))
              .write().parquet(logits.toString());
        }
        scoreSeconds = (System.nanoTime() - tScore) / 1e9;
        // Counted in the files, not the accumulator: a retried task must not count twice.
        scored = spark.read().parquet(logits.toString()).count();
        if (scored != toDo - refused) {
          throw new IllegalStateException("scored " + scored + " rows, expected " + (toDo - refused)
              + ": the features changed while the job ran? Run it again; nothing was committed.");
        }
        Vocabulary vocabulary = TeacherVocabulary.of(config.teacher());
        if (vocabulary != null) {
          TeacherVocabulary.write(spark, logits, vocabulary);
        }
      }
      Result result = new Result(fingerprint, scoring.describe(), total, scored, total - toDo, refused, byReason,
          scoreSeconds > 0 ? scored / scoreSeconds : 0, (System.nanoTime() - t0) / 1e9, config.out(),
          scored > 0 ? LogitsTable.runDir(config.out(), fingerprint, next).toString() : null,
          refused > 0 ? LogitsTable.quarantineDir(config.out(), fingerprint, next).toString() : null);
      LOG.info("teacher-logits: teacher {} ({}): scored {}, skipped {} (already there), quarantined {} {}, "
          + "{} windows/s -> {}", fingerprint, result.runtime(), scored, result.skipped(), refused, byReason,
          String.format("%.1f", result.windowsPerSecond()), result.run());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("teacher-logits: cannot write into " + staging, e);
    }
  }

  /** The feature rows of a partition that the teacher cannot take, as quarantine rows. */
  private static Iterator<Row> refuse(Iterator<Row> rows, FeatureCheck check, String file) {
    List<Row> out = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      FeatureCheck.Problem p = problem(check, r, ints(r, 2), ints(r, 3));
      if (p != null) {
        out.add(RowFactory.create(r.isNullAt(0) ? null : r.getString(0), file, "window " + r.get(1), p.reason(),
            p.detail(), r.json()));
      }
    }
    return out.iterator();
  }

  /** The logits of a partition's rows that the teacher can take (the others are in the quarantine). */
  private static Iterator<Row> score(Iterator<Row> rows, ScoringModel teacher, TeacherLogitsConfig config,
      FeatureCheck check, LongAccumulator done) {
    TaskContext task = TaskContext.get();
    Device device = TaskDevice.of(task, teacher);
    QaScorer scorer = teacher(teacher, device, config.threads(task.cpus()));
    List<Row> keys = new ArrayList<>();
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      int[] rowIds = ints(r, 2);
      int[] rowTypes = ints(r, 3);
      if (problem(check, r, rowIds, rowTypes) == null) {
        keys.add(r);
        ids.add(rowIds);
        types.add(rowTypes);
      }
    }
    List<QaScorer.Logits> logits = scorer.score(ids, types, config.batching(device));
    done.add(keys.size());
    List<Row> out = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      out.add(RowFactory.create(keys.get(i).getString(0), keys.get(i).getInt(1), logits.get(i).start(),
          logits.get(i).end()));
    }
    return out.iterator();
  }

  /** The teacher on {@code device} with {@code threads} intra-op threads, from this JVM's {@link ModelCache}. */
  private static QaScorer teacher(ScoringModel teacher, Device device, int threads) {
    return loading(teacher.model(), " on " + device, () -> ModelCache.scorer(teacher, device, threads));
  }

  /**
   * What {@code load} returns; a teacher that does not load (or whose graph cannot be made) is a
   * {@link UsageException} naming the teacher, the file and the cause.
   */
  private static <T> T loading(String teacher, String where, Supplier<T> load) {
    try {
      return load.get();
    } catch (UsageException e) {
      throw new UsageException("teacher " + teacher + " does not load: " + e.getMessage(), e);
    } catch (RuntimeException | LinkageError e) {
      throw new UsageException("teacher " + teacher + " does not load" + where + ": " + e, e);
    }
  }

  /** A teacher given as a local path or a {@code file:} URI, as a path. */
  private static java.nio.file.Path localPath(String teacher) {
    return teacher.startsWith("file:") ? Paths.get(URI.create(teacher)) : Paths.get(teacher);
  }

  /** The problem of a row of {@link #FEATURE_COLUMNS} whose ids and type ids are given, or null. */
  private static FeatureCheck.Problem problem(FeatureCheck check, Row r, int[] ids, int[] types) {
    if (r.isNullAt(0) || r.isNullAt(1)) {
      return new FeatureCheck.Problem(FeatureCheck.NULL_ARRAY, "example_id or window is null");
    }
    return check.problem(ids, types);
  }

  private static int[] ints(Row r, int column) {
    return r.isNullAt(column) ? null : FeatureCheck.ints(r.getList(column));
  }

  private static FileSystem fileSystem(SparkSession spark, String out) {
    try {
      return new Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UsageException("cannot open the file system of " + out + ": " + e.getMessage(), e);
    }
  }
}
