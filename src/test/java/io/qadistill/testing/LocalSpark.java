package io.qadistill.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session of the test JVM: local[2] as on CI's 2 cores, UI off, few shuffle partitions.
 * Shared by all test classes (a session per class would cost seconds each); never stopped by a test.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("qadistill-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .getOrCreate();
    }
    return session;
  }
}
