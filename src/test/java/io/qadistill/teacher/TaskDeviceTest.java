package io.qadistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.qadistill.common.UsageException;
import org.junit.jupiter.api.Test;

class TaskDeviceTest {
  @Test
  void aTaskWithoutGpusRunsOnTheCpu() {
    assertThat(TaskDevice.of(null)).isEqualTo(Device.cpu());
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
    TeacherLogitsConfig fixed = new TeacherLogitsConfig("f", "t", "o", 1000, 0, 10);
    assertThat(fixed.batching(Device.gpu(0)).batchTokens()).isEqualTo(1000);
    assertThat(fixed.batching(Device.gpu(0)).maxBatchRows()).isEqualTo(15);
  }

  @Test
  void badConfigValuesAreNamed() {
    assertThatThrownBy(() -> new TeacherLogitsConfig("f", "hdfs://nn/teacher", "o", 0, 0, 10))
        .isInstanceOf(UsageException.class).hasMessageContaining("hdfs://nn/teacher");
    assertThatThrownBy(() -> new TeacherLogitsConfig("f", "t", "o", -1, 0, 10))
        .isInstanceOf(UsageException.class).hasMessageContaining("batch tokens -1");
    assertThatThrownBy(() -> new TeacherLogitsConfig("f", "t", "o", 0, 0, 0))
        .isInstanceOf(UsageException.class).hasMessageContaining("rows per task 0");
    assertThat(new TeacherLogitsConfig("f", "file:/shared/t", "o", 0, 0, 1).teacher()).isEqualTo("file:/shared/t");
  }
}
