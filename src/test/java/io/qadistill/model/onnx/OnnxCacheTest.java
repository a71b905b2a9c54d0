package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The graphs kept in a model directory: made once, made again when the weights change, refused when corrupt. */
class OnnxCacheTest {
  private static EncoderWeights weights;
  @TempDir Path dir;
  private final AtomicInteger exports = new AtomicInteger();

  @BeforeAll
  static void smallModel() {
    try (QaModel model = QaModel.initialize(ModelConfig.bert(30522, 32, 2, 2, 64, 512, 2), new byte[0], 5)) {
      weights = OnnxWeights.of(model);
    }
  }

  private Supplier<EncoderWeights> counted() {
    return () -> {
      exports.incrementAndGet();
      return weights;
    };
  }

  @Test
  void theGraphIsMadeOnceAndItsDigestMatchesTheFile() throws Exception {
    OnnxCache.Entry first = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted());
    FileTime written = Files.getLastModifiedTime(first.file());
    OnnxCache.Entry second = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted());
    assertThat(exports).hasValue(1);
    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(second.file())).isEqualTo(written);
    assertThat(first.file()).isEqualTo(dir.resolve("model.onnx"));
    // the sidecar in sha256sum's format, holding an independently computed digest of the file
    String digest = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(first.file())));
    assertThat(Files.readString(dir.resolve("model.onnx.sha256"))).isEqualTo(digest + "  model.onnx\n");
    assertThat(first.sha256()).isEqualTo(digest);
    OnnxCache.verify(first);
    try (OnnxQaSession session = OnnxQaSession.open(first.file(), 1)) {
      assertThat(session.metadata()).containsEntry("qadistill.source", "weights-a")
          .containsEntry("qadistill.precision", "fp32");
    }
  }

  @Test
  void otherWeightsMakeItAgainAndInt8HasItsOwnFile() {
    OnnxCache.Entry a = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted());
    OnnxCache.Entry b = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-b", counted());
    OnnxCache.Entry q = OnnxCache.ensure(dir, QaGraph.Precision.INT8, "weights-b", counted());
    assertThat(exports).hasValue(3);
    assertThat(b.file()).isEqualTo(a.file());
    assertThat(b.sha256()).as("the metadata differs").isNotEqualTo(a.sha256());
    assertThat(q.file()).isEqualTo(dir.resolve("model.int8.onnx"));
    assertThat(dir.resolve("model.int8.onnx.sha256")).exists();
  }

  @Test
  void aCorruptOrUncheckableGraphIsAnErrorNamingIt() throws Exception {
    Path file = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted()).file();
    byte[] bytes = Files.readAllBytes(file);
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 1; // one bit inside a weight: ONNX Runtime would load it and score wrongly
    Files.write(file, flipped);
    assertThatThrownBy(() -> OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted()))
        .isInstanceOf(UsageException.class).hasMessageContaining(file + " is corrupt")
        .hasMessageContaining("delete it");
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 3));
    assertThatThrownBy(() -> OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted()))
        .isInstanceOf(UsageException.class).hasMessageContaining(file + " is corrupt");
    Files.write(file, bytes);
    Files.delete(dir.resolve("model.onnx.sha256"));
    assertThatThrownBy(() -> OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted()))
        .isInstanceOf(UsageException.class).hasMessageContaining(file + " has no model.onnx.sha256");
    assertThat(exports).hasValue(1);
  }

  @Test
  void anExecutorRefusesAFileThatChangedSinceTheDriverCheckedIt() throws Exception {
    OnnxCache.Entry entry = OnnxCache.ensure(dir, QaGraph.Precision.FP32, "weights-a", counted());
    byte[] bytes = Files.readAllBytes(entry.file());
    bytes[bytes.length - 10] ^= 1;
    Files.write(entry.file(), bytes);
    assertThatThrownBy(() -> OnnxCache.verify(entry)).isInstanceOf(UsageException.class)
        .hasMessageContaining(entry.file() + " changed or is corrupt");
    Files.delete(entry.file());
    assertThatThrownBy(() -> OnnxCache.verify(entry)).isInstanceOf(UsageException.class)
        .hasMessageContaining("is missing on this machine");
  }
}
