package io.qadistill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qadistill.common.SparkSessions;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * A stage as a command: parse options (picocli), build the session, run the stage's job class, print its
 * result record as JSON on stdout. Logs go to stderr. Subclasses only wire options into the job.
 */
abstract class SparkCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--master", description = "Spark master URL; default: spark-submit's, else local[*].")
  String master;

  /** Runs the job and returns its result record. */
  abstract Object run(SparkSession spark) throws Exception;

  @Override
  public Integer call() throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("qadistill " + getClass().getSimpleName(), master);
    try {
      Object result = run(spark);
      System.out.println(JSON.writeValueAsString(result));
      return 0;
    } finally {
      spark.stop();
    }
  }
}
