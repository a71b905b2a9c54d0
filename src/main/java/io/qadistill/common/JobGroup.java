package io.qadistill.common;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark job group of a running stage, so that the UI and the logs name what runs. Entering saves the
 * thread's group (a stage may run inside the pipeline's); closing restores it, also after a failure.
 */
public final class JobGroup implements AutoCloseable {
  private static final String ID = "spark.jobGroup.id";
  private static final String DESCRIPTION = "spark.job.description";
  private static final String INTERRUPT = "spark.job.interruptOnCancel";

  private final SparkContext sc;
  private final String id;
  private final String previousId;
  private final String previousDescription;
  private final String previousInterrupt;

  private JobGroup(SparkContext sc, String id) {
    this.sc = sc;
    this.id = id;
    this.previousId = sc.getLocalProperty(ID);
    this.previousDescription = sc.getLocalProperty(DESCRIPTION);
    this.previousInterrupt = sc.getLocalProperty(INTERRUPT);
  }

  /** Sets group {@code id} with {@code description} on this thread until {@link #close()}. */
  public static JobGroup enter(SparkSession spark, String id, String description) {
    JobGroup group = new JobGroup(spark.sparkContext(), id);
    group.sc.setJobGroup(id, description, false);
    return group;
  }

  /** Says what the stage's next Spark jobs do ("featurize: tokenize 10,570 examples"), within its group. */
  public void describe(String description) {
    sc.setJobGroup(id, description, false);
  }

  @Override
  public void close() {
    if (previousId == null) {
      sc.clearJobGroup();
    } else {
      sc.setJobGroup(previousId, previousDescription, Boolean.parseBoolean(previousInterrupt));
    }
  }
}
