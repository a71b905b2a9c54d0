package io.qadistill.common;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the session a job runs in: the cluster's when launched by spark-submit, else the embedded default. */
public final class SparkSessions {
  /** The master used when neither spark-submit nor {@code --master} named one. */
  public static final String EMBEDDED_MASTER = "local[*]";

  private SparkSessions() {}

  /**
   * Returns the active session or a new one. A master given here wins; otherwise the one spark-submit put in
   * the configuration; otherwise {@link #EMBEDDED_MASTER}, with the UI off since nobody is there to look.
   */
  public static SparkSession getOrCreate(String appName, String master) {
    SparkConf conf = new SparkConf();
    if (master != null && !master.isBlank()) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster(EMBEDDED_MASTER);
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(Math.max(8, 2 * cores())));
    return SparkSession.builder().appName(appName).config(conf).getOrCreate();
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
