package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qadistill.model.OnnxGraph;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's encoding, read by ONNX Runtime (an independent protobuf parser and a checker of the graph): a small
 * graph that uses every kind of value the writer emits (float, int8 and int64 initializers, a scalar, int, float and
 * int-list attributes, fixed and named dimensions, metadata) computes what the same arithmetic by hand gives.
 */
class OnnxBuilderTest {
  private static final float[] W = {1, 2, 3, 4, 5, 6}; // [3, 2]
  private static final float[] B = {0.5f, -10};

  @Test
  void onnxRuntimeLoadsTheModelAndComputesTheGraph() throws Exception {
    byte[] model = smallModel();
    float[][] x = {{1, 0, -1}, {2, 1, 0}};
    long[] idx = {1, 0, 1};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
         OnnxTensor xs = OnnxTensor.createTensor(env, x);
         OnnxTensor is = OnnxTensor.createTensor(env, idx);
         OrtSession.Result result = session.run(Map.of("x", xs, "idx", is))) {
      assertThat(session.getMetadata().getCustomMetadata()).containsEntry("answer", "42");
      assertThat(session.getMetadata().getProducerName()).isEqualTo("test");
      float[][] out = (float[][]) result.get("out").orElseThrow().getValue();
      // by hand: a = x·W + b, then transposed [2, n], LeakyRelu(0.5), columns idx, plus the int8 column {-3, 127}
      float[][] expected = new float[2][idx.length];
      for (int c = 0; c < 2; c++) {
        for (int k = 0; k < idx.length; k++) {
          int row = (int) idx[k];
          float a = B[c];
          for (int j = 0; j < 3; j++) {
            a += x[row][j] * W[j * 2 + c];
          }
          expected[c][k] = (a < 0 ? 0.5f * a : a) + (c == 0 ? -3 : 127);
        }
      }
      for (int c = 0; c < 2; c++) {
        assertThat(out[c]).containsExactly(expected[c], within(1e-6f));
      }
    }
  }

  @Test
  void ourReaderSeesTheNodesAndInitializers() throws Exception {
    OnnxGraph graph = OnnxGraph.parse(smallModel());
    assertThat(graph.nodes()).extracting(OnnxGraph.Node::opType)
        .containsExactly("MatMul", "Add", "Transpose", "LeakyRelu", "Gather", "Cast", "Add");
    assertThat(graph.tensors().get("w").data()).containsExactly(W);
    assertThat(graph.tensors().get("w").dims()).containsExactly(3, 2);
    assertThat(graph.nodes().get(2).ints()).containsKey("perm");
    assertThat(graph.nodes().get(2).ints().get("perm")).containsExactly(1, 0);
    assertThat(graph.nodes().get(3).floats()).containsEntry("alpha", 0.5f);
    assertThat(graph.inputs()).containsExactly("x", "idx");
  }

  @Test
  void metadataReadsFromTheFileWithoutItsGraph(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("small.onnx"), smallModel());
    assertThat(OnnxGraph.metadata(file)).containsExactly(Map.entry("answer", "42"));
  }

  private static byte[] smallModel() throws Exception {
    OnnxBuilder g = new OnnxBuilder(17).metadata("answer", "42");
    g.input("x", OnnxBuilder.FLOAT, "n", 3L).input("idx", OnnxBuilder.INT64, "k");
    String m = g.node("MatMul", "", List.of("x", g.floats("w", W, 3, 2)));
    String a = g.node("Add", "", List.of(m, g.floats("b", B, 2)));
    String t = g.node("Transpose", "", List.of(a), "perm", new long[] {1, 0});
    String r = g.node("LeakyRelu", "", List.of(t), "alpha", 0.5f);
    String picked = g.node("Gather", "", List.of(r, "idx"), "axis", 1L);
    String column = g.node("Cast", "", List.of(g.int8s("c", new byte[] {-3, 127}, 2, 1)), "to",
        (long) OnnxBuilder.FLOAT);
    g.nodeNamed("sum", "Add", "", List.of(picked, column), List.of("out"));
    g.output("out", OnnxBuilder.FLOAT, 2L, "k");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    g.writeTo(bytes, "small", "test", "1");
    return bytes.toByteArray();
  }
}
