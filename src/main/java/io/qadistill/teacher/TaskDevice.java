package io.qadistill.teacher;

import ai.djl.Device;
import io.qadistill.common.UsageException;
import io.qadistill.model.Runtimes;
import io.qadistill.model.ScoringModel;
import io.qadistill.model.ScoringRuntime;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a Spark task runs its teacher on: the GPU that Spark's resource scheduling gave the task
 * ({@code spark.task.resource.gpu.amount}; the first of its "gpu" addresses, as printed by the discovery script
 * conf/gpu-discovery.sh, i.e. CUDA device ordinals), else the CPU.
 */
public final class TaskDevice {
  /** What each task of a job asks for: Spark gives every task GPUs, or none. */
  private static final String TASK_GPUS = "spark.task.resource.gpu.amount";

  private TaskDevice() {}

  /** Whether the tasks of jobs in this configuration are given GPUs; asked on the driver, before a job. */
  public static boolean gpuTasks(SparkConf conf) {
    return conf.getDouble(TASK_GPUS, 0) > 0;
  }

  /**
   * The device {@code model} runs on in {@code task}: the CPU for ONNX Runtime (its jar is a CPU build), else the
   * task's GPU or the CPU ({@link #of(TaskContext)}).
   */
  public static Device of(TaskContext task, ScoringModel model) {
    return model.runtime() == ScoringRuntime.ONNX ? Device.cpu() : of(task);
  }

  static Device of(TaskContext task) {
    return task == null ? Device.cpu() : of(task.resourcesJMap());
  }

  /** The device for a task's resources (Spark's {@code TaskContext.resources()}). */
  static Device of(Map<String, ResourceInformation> resources) {
    ResourceInformation gpus = resources.get("gpu");
    if (gpus == null || gpus.addresses().length == 0) {
      return Device.cpu();
    }
    int gpu = gpuIndex(gpus.addresses());
    int visible = Runtimes.gpuCount();
    if (gpu >= visible) {
      throw new UsageException("Spark gave this task GPU " + gpu + " but PyTorch sees " + visible + " GPU(s): "
          + (visible == 0 ? "this executor loaded a CPU build of PyTorch; submit the job jar of mvn -Pjob,gpu "
          + "package with libtorch for CUDA in PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 "
          + "(conf/spark-gpu.conf)"
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
