package io.qadistill.teacher;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.qadistill.common.UsageException;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a Spark task runs its teacher on: the GPU that Spark's resource scheduling gave the task
 * ({@code spark.task.resource.gpu.amount}; the first of its "gpu" addresses, as printed by the discovery script,
 * i.e. CUDA device ordinals), else the CPU.
 */
final class TaskDevice {
  private TaskDevice() {}

  static Device of(TaskContext task) {
    ResourceInformation gpus = task == null ? null : task.resourcesJMap().get("gpu");
    if (gpus == null || gpus.addresses().length == 0) {
      return Device.cpu();
    }
    int gpu = gpuIndex(gpus.addresses());
    int visible = Engine.getInstance().getGpuCount();
    if (gpu >= visible) {
      throw new UsageException("Spark gave this task GPU " + gpu + " but PyTorch sees " + visible + " GPU(s): "
          + (visible == 0 ? "the job jar holds the CPU build of PyTorch; build it with mvn -Pjob,gpu package"
          : "the discovery script must print CUDA ordinals, and CUDA_VISIBLE_DEVICES must not renumber them"));
    }
    return Device.gpu(gpu);
  }

  /** The CUDA ordinal of a task's first GPU address ("0", "1", …). */
  static int gpuIndex(String[] addresses) {
    String first = addresses[0].trim();
    try {
      return Integer.parseInt(first);
    } catch (NumberFormatException e) {
      throw new UsageException("GPU address \"" + first + "\" is not a CUDA device ordinal: the GPU discovery "
          + "script (conf/gpu-discovery.sh) must list ordinals such as \"0\", \"1\"", e);
    }
  }
}
