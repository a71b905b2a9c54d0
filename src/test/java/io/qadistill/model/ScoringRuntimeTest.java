package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which runtime scores what: the choice --runtime and --int8 make, for model directories and TorchScript files. */
class ScoringRuntimeTest {
  @TempDir Path tmp;

  @Test
  void autoPicksOnnxRuntimeForAModelDirectoryOnCpuTasksAndPyTorchElsewhere() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Path pt = Files.createFile(tmp.resolve("teacher.pt"));
    assertThat(ScoringRuntime.DEFAULT).isEqualTo(ScoringRuntime.AUTO);
    assertThat(ScoringRuntime.AUTO.resolve(dir, false, false)).isEqualTo(ScoringRuntime.ONNX);
    assertThat(ScoringRuntime.AUTO.resolve(dir, false, true)).isEqualTo(ScoringRuntime.ONNX);
    assertThat(ScoringRuntime.AUTO.resolve(dir, true, false)).as("GPU tasks").isEqualTo(ScoringRuntime.PYTORCH);
    assertThat(ScoringRuntime.AUTO.resolve(pt, false, false)).as("TorchScript").isEqualTo(ScoringRuntime.PYTORCH);
    // where no graph is and none can be written, auto falls back to PyTorch (whose loader then says what is wrong)
    assertThat(ScoringRuntime.AUTO.resolve(tmp.resolve("absent"), false, false)).isEqualTo(ScoringRuntime.PYTORCH);
    assertThat(ScoringRuntime.ONNX.resolve(dir, true, false)).as("asked for, on GPU tasks too")
        .isEqualTo(ScoringRuntime.ONNX);
    assertThat(ScoringRuntime.PYTORCH.resolve(dir, false, false)).isEqualTo(ScoringRuntime.PYTORCH);
  }

  @Test
  void combinationsThatCannotRunNameTheFileOrTheOption() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Path pt = Files.createFile(tmp.resolve("teacher.pt"));
    assertThatThrownBy(() -> ScoringRuntime.ONNX.resolve(pt, false, false)).isInstanceOf(UsageException.class)
        .hasMessageContaining("--runtime onnx cannot score " + pt).hasMessageContaining("TorchScript")
        .hasMessageContaining("--runtime pytorch");
    assertThatThrownBy(() -> ScoringRuntime.PYTORCH.resolve(dir, false, true)).isInstanceOf(UsageException.class)
        .hasMessageContaining("--int8").hasMessageContaining("--runtime onnx")
        .hasMessageContaining("(--runtime pytorch)");
    assertThatThrownBy(() -> ScoringRuntime.AUTO.resolve(pt, false, true)).isInstanceOf(UsageException.class)
        .hasMessageContaining("--int8").hasMessageContaining(pt + " is a TorchScript file");
    assertThatThrownBy(() -> ScoringRuntime.AUTO.resolve(dir, true, true)).isInstanceOf(UsageException.class)
        .hasMessageContaining("--int8").hasMessageContaining("picks PyTorch when tasks are given GPUs");
  }

  @Test
  void theOptionTakesLowerCaseNames() {
    assertThat(ScoringRuntime.parse("onnx")).isEqualTo(ScoringRuntime.ONNX);
    assertThat(ScoringRuntime.PYTORCH).hasToString("pytorch");
    assertThatThrownBy(() -> ScoringRuntime.parse("tensorrt")).isInstanceOf(UsageException.class)
        .hasMessage("--runtime tensorrt: give one of auto, onnx, pytorch");
  }
}
