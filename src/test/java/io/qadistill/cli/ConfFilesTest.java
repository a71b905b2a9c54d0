package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.TestData;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The cluster configurations a user hands to spark-submit stay in step with each other. */
class ConfFilesTest {

  @Test
  void gpuConfHasEverySettingOfTheClusterConf() throws IOException {
    // spark-submit reads --properties-file as a Java properties file ("key value" lines)
    Properties cluster = load("conf/spark-cluster.conf");
    Properties gpu = load("conf/spark-gpu.conf");
    assertThat(gpu.stringPropertyNames()).as("conf/spark-gpu.conf must set what conf/spark-cluster.conf sets")
        .containsAll(cluster.stringPropertyNames());
    assertThat(gpu.getProperty("spark.executorEnv.LD_PRELOAD")).isEqualTo(cluster.getProperty(
        "spark.executorEnv.LD_PRELOAD"));
    assertThat(gpu.getProperty("spark.executor.resource.gpu.amount")).isEqualTo("1");
  }

  private static Properties load(String name) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(TestData.projectDir().resolve(name))) {
      p.load(in);
    }
    return p;
  }
}
