package io.qadistill.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an ONNX file straight through ONNX Runtime's API (not through {@link OnnxQaSession}) on windows in file order,
 * {@code batch} at a time, each batch padded to its longest window: most windows then carry padding, which the graph
 * must mask. Returns, for each output asked for, per window, its values at the window's real tokens (row-major
 * [tokens, width]).
 */
final class PaddedRuns {
  private PaddedRuns() {}

  /** {@code outputs}: each output's name and width (its last dimension; 1 for [batch, sequence] outputs). */
  static Map<String, List<float[]>> run(Path file, List<int[]> ids, List<int[]> types, int batch,
                                        Map<String, Integer> outputs) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, float[][]> out = new HashMap<>();
    outputs.keySet().forEach(name -> out.put(name, new float[ids.size()][]));
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(file.toString(), options)) {
        for (int from = 0; from < ids.size(); from += batch) {
          int to = Math.min(ids.size(), from + batch);
          int length = ids.subList(from, to).stream().mapToInt(r -> r.length).max().orElseThrow();
          long[] shape = {to - from, length};
          LongBuffer a = LongBuffer.allocate((to - from) * length);
          LongBuffer b = LongBuffer.allocate((to - from) * length);
          LongBuffer c = LongBuffer.allocate((to - from) * length);
          for (int r = from; r < to; r++) {
            for (int t = 0; t < ids.get(r).length; t++) {
              a.put((r - from) * length + t, ids.get(r)[t]);
              b.put((r - from) * length + t, 1);
              c.put((r - from) * length + t, types.get(r)[t]);
            }
          }
          Map<String, OnnxTensor> feed = new HashMap<>();
          feed.put(QaGraph.INPUT_IDS, OnnxTensor.createTensor(env, a, shape));
          feed.put(QaGraph.ATTENTION_MASK, OnnxTensor.createTensor(env, b, shape));
          if (session.getInputNames().contains(QaGraph.TOKEN_TYPE_IDS)) {
            feed.put(QaGraph.TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, c, shape));
          }
          try (OrtSession.Result result = session.run(feed, outputs.keySet())) {
            for (Map.Entry<String, Integer> o : outputs.entrySet()) {
              FloatBuffer values = ((OnnxTensor) result.get(o.getKey()).orElseThrow()).getFloatBuffer();
              int width = o.getValue();
              for (int r = from; r < to; r++) {
                float[] row = new float[ids.get(r).length * width];
                values.get((r - from) * length * width, row);
                out.get(o.getKey())[r] = row;
              }
            }
          } finally {
            feed.values().forEach(OnnxTensor::close);
          }
        }
      }
    }
    Map<String, List<float[]>> lists = new HashMap<>();
    out.forEach((name, rows) -> lists.put(name, Arrays.asList(rows)));
    return lists;
  }
}
