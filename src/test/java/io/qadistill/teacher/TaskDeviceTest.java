package io.qadistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.qadistill.common.UsageException;
import io.qadistill.model.ScoringRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU mapping on a machine without one: what conf/gpu-discovery.sh prints for the GPUs an nvidia-smi lists,
 * read back as Spark reads it, and the device a task with such addresses gets.
 */
class TaskDeviceTest {
  @TempDir Path tmp;

  @Test
  void aTaskWithoutGpusRunsOnTheCpu() {
    assertThat(TaskDevice.of((TaskContext) null)).isEqualTo(Device.cpu());
    assertThat(TaskDevice.of(Map.of())).isEqualTo(Device.cpu());
    assertThat(TaskDevice.of(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))))
        .isEqualTo(Device.cpu());
  }

  @Test
  void theDiscoveryScriptListsNvidiaSmiOrdinalsAsSparkReadsThem() throws Exception {
    Process script = discovery("printf '0\\n1\\n3\\n'");
    String json = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(script.waitFor()).as("exit status; printed %s", json).isZero();
    ResourceInformation gpus = ResourceInformation.parseJson(json);
    assertThat(gpus.name()).isEqualTo("gpu");
    assertThat(gpus.addresses()).containsExactly("0", "1", "3");
    // this machine's PyTorch sees no GPU, so a task given one is told why instead of running on the CPU
    assertThat(Engine.getInstance().getGpuCount()).isZero();
    assertThatThrownBy(() -> TaskDevice.of(Map.of("gpu", new ResourceInformation("gpu", new String[] {"1"}))))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("Spark gave this task GPU 1 but PyTorch sees 0 GPU(s)")
        .hasMessageContaining("PYTORCH_LIBRARY_PATH");
  }

  @Test
  void theDiscoveryScriptFailsWhenNvidiaSmiDoes() throws Exception {
    Process script = discovery("echo 'NVIDIA-SMI has failed' >&2; exit 9");
    String err = new String(script.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(script.waitFor()).isNotZero();
    assertThat(err).contains("nvidia-smi failed", "NVIDIA-SMI has failed");
  }

  /** Runs conf/gpu-discovery.sh with an nvidia-smi on the PATH that runs {@code body}. */
  private Process discovery(String body) throws IOException {
    Path smi = tmp.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder("conf/gpu-discovery.sh");
    pb.environment().put("PATH", tmp + ":" + System.getenv("PATH"));
    return pb.start();
  }

  @Test
  void theFirstGpuAddressIsTheCudaOrdinal() {
    assertThat(TaskDevice.gpuIndex(new String[] {" 3", "4"})).isEqualTo(3);
    assertThatThrownBy(() -> TaskDevice.gpuIndex(new String[] {"GPU-5b2c"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("\"GPU-5b2c\" is not a CUDA device ordinal");
  }

  @Test
  void batchingFollowsTheDeviceUnlessConfigured() {
    TeacherLogitsConfig auto = TeacherLogitsConfig.defaults("f", "t", "o");
    assertThat(auto.batching(Device.cpu()).batchTokens()).isEqualTo(TeacherLogitsConfig.CPU_BATCH_TOKENS);
    assertThat(auto.batching(Device.cpu()).maxBatchRows()).isEqualTo(64);
    assertThat(auto.batching(Device.gpu(1)).batchTokens()).isEqualTo(TeacherLogitsConfig.GPU_BATCH_TOKENS);
    TeacherLogitsConfig fixed = config("t", 1000, 10);
    assertThat(fixed.batching(Device.gpu(0)).batchTokens()).isEqualTo(1000);
    assertThat(fixed.batching(Device.gpu(0)).maxBatchRows()).isEqualTo(15);
  }

  private static TeacherLogitsConfig config(String teacher, int batchTokens, int rowsPerTask) {
    return new TeacherLogitsConfig("f", teacher, "o", batchTokens, 0, rowsPerTask, ScoringRuntime.DEFAULT, false);
  }

  @Test
  void tasksAreGivenGpusWhenTheConfigurationAsksForThem() {
    assertThat(TaskDevice.gpuTasks(new SparkConf(false))).isFalse();
    assertThat(TaskDevice.gpuTasks(new SparkConf(false).set("spark.task.resource.gpu.amount", "0.5"))).isTrue();
    assertThat(TaskDevice.gpuTasks(new SparkConf(false).set("spark.executor.resource.gpu.amount", "1"))).isFalse();
  }

  @Test
  void badConfigValuesAreNamed() {
    assertThatThrownBy(() -> config("hdfs://nn/teacher", 0, 10))
        .isInstanceOf(UsageException.class).hasMessageContaining("hdfs://nn/teacher");
    assertThatThrownBy(() -> config("t", -1, 10))
        .isInstanceOf(UsageException.class).hasMessageContaining("batch tokens -1");
    assertThatThrownBy(() -> config("t", 0, 0))
        .isInstanceOf(UsageException.class).hasMessageContaining("rows per task 0");
    assertThat(config("file:/shared/t", 0, 1).teacher()).isEqualTo("file:/shared/t");
  }
}
