package io.qadistill.train;

import static org.apache.spark.sql.functions.col;

import io.qadistill.common.UsageException;
import io.qadistill.features.FeaturesTable;
import io.qadistill.teacher.LogitsTable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The windows a run trains on, spread over the training partitions and cached there: features joined with the
 * teacher's logits (when distilling), hash-partitioned by (example_id, window) and sorted by them within each
 * partition, so that the same inputs and partition count always give each partition the same rows in the same
 * order (what {@link PartitionBatches} and a resume rely on). Cost: one shuffle of the joined rows, then they stay in
 * the executors' memory (spilling to disk) until {@link #release()}.
 */
public final class TrainData {
  private static final Logger LOG = LoggerFactory.getLogger(TrainData.class);

  private final JavaRDD<TrainRow> rows;
  private final long[] partitionRows;
  private final long features;

  private TrainData(JavaRDD<TrainRow> rows, long[] partitionRows, long features) {
    this.rows = rows;
    this.partitionRows = partitionRows;
    this.features = features;
  }

  /**
   * Reads {@code featuresPath}, joined with the logits of {@code teacher} under {@code logitsPath} when
   * {@code logitsPath} is not null ({@code teacher} may be null when the table holds one teacher's), into
   * {@code partitions} cached partitions. Features without logits are left out (and counted in the log).
   */
  public static TrainData prepare(SparkSession spark, String featuresPath, String logitsPath, String teacher,
                                  int partitions) {
    Dataset<Row> features = features(spark, featuresPath);
    long featureCount = features.count();
    Dataset<Row> joined = withLogits(spark, features, logitsPath, teacher);
    JavaRDD<TrainRow> rows = joined.repartition(partitions, col(FeaturesTable.EXAMPLE_ID), col(FeaturesTable.WINDOW))
        .sortWithinPartitions(FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW)
        .javaRDD().map(TrainRow::of)
        .persist(StorageLevel.MEMORY_AND_DISK());
    rows.setName("training windows");
    boolean withLogits = logitsPath != null;
    List<long[]> counts = rows.mapPartitionsWithIndex((p, it) -> List.of(count(p, it, withLogits)).iterator(), true)
        .collect();
    long[] sizes = new long[partitions];
    long mismatched = 0;
    for (long[] c : counts) {
      sizes[(int) c[0]] = c[1];
      mismatched += c[2];
    }
    TrainData data = new TrainData(rows, sizes, featureCount);
    if (mismatched > 0) {
      data.release();
      throw new UsageException(mismatched + " rows of the logits " + logitsPath + " do not have one logit per token of "
          + "the features " + featuresPath + ": they were computed on other features; run teacher-logits on these");
    }
    long total = data.windows();
    if (total == 0) {
      data.release();
      throw new UsageException("nothing to train on: " + featuresPath + " has " + featureCount + " windows"
          + (withLogits ? " and none has logits in " + logitsPath + " (another teacher or other features?)" : ""));
    }
    for (int p = 0; p < partitions; p++) {
      if (sizes[p] == 0) {
        data.release();
        throw new UsageException("training partition " + p + " of " + partitions + " got no rows (" + total
            + " windows in all): use fewer --partitions");
      }
    }
    if (total < featureCount) {
      LOG.warn("{} of {} feature windows have no teacher logits in {} (quarantined by the teacher, or not scored "
          + "yet): training on the other {}", featureCount - total, featureCount, logitsPath, total);
    }
    return data;
  }

  /** The windows {@link #prepare} would train on, counted (a join of the keys only; nothing cached). */
  public static long count(SparkSession spark, String featuresPath, String logitsPath, String teacher) {
    return withLogits(spark, features(spark, featuresPath), logitsPath, teacher).count();
  }

  private static Dataset<Row> features(SparkSession spark, String featuresPath) {
    return FeaturesTable.read(spark, featuresPath, FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW,
        FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS, FeaturesTable.START_POSITIONS,
        FeaturesTable.END_POSITIONS);
  }

  /** {@code features} joined with the logits of {@code teacher} under {@code logitsPath}, or as they are (null). */
  private static Dataset<Row> withLogits(SparkSession spark, Dataset<Row> features, String logitsPath,
                                         String teacher) {
    if (logitsPath == null) {
      return features;
    }
    Dataset<Row> logits = LogitsTable.readOne(spark, logitsPath, teacher, "--logits");
    return features.join(logits.select(FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW, LogitsTable.START_LOGITS,
        LogitsTable.END_LOGITS), new String[] {FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW});
  }

  private static long[] count(int partition, Iterator<TrainRow> rows, boolean withLogits) {
    long n = 0;
    long bad = 0;
    while (rows.hasNext()) {
      TrainRow r = rows.next();
      n++;
      if (withLogits && !r.logitsMatch()) {
        bad++;
      }
    }
    return new long[] {partition, n, bad};
  }

  /** The cached rows, one training partition each. */
  public JavaRDD<TrainRow> rows() {
    return rows;
  }

  /** Rows per partition. */
  public long[] partitionRows() {
    return partitionRows.clone();
  }

  public int partitions() {
    return partitionRows.length;
  }

  /** Windows trained on, over all partitions. */
  public long windows() {
    long sum = 0;
    for (long n : partitionRows) {
      sum += n;
    }
    return sum;
  }

  /** Windows of the features table (more than {@link #windows()} when some have no logits). */
  public long features() {
    return features;
  }

  /** Drops the cached rows. */
  public void release() {
    rows.unpersist(false);
  }
}
