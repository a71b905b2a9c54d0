package io.qadistill.model.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model (nodes, initializers, typed inputs and outputs, opsets, metadata) and writes it in ONNX's
 * protobuf encoding, by field number from onnx.proto.
 *
 * <p>Hand-written, as {@code model.OnnxGraph} reads: the dozen messages an inference graph needs are all it writes,
 * with protobuf-java's {@link CodedOutputStream} (protobuf-java comes with Spark). The Maven artifacts that ship
 * generated ONNX classes either carry native builds (JavaCPP's onnx presets, hundreds of MB) or pin a protobuf
 * runtime other than Spark's, and a protoc step in the build would be a second tool to keep in step.
 */
public final class OnnxBuilder {
  /** TensorProto.DataType values. */
  public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7;
  /** The ONNX Runtime operators' domain. */
  public static final String MICROSOFT = "com.microsoft";

  // onnx.proto field numbers
  private static final int MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_PRODUCER_VERSION = 3,
      MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8, MODEL_METADATA_PROPS = 14;
  private static final int OPSET_DOMAIN = 1, OPSET_VERSION = 2;
  private static final int ENTRY_KEY = 1, ENTRY_VALUE = 2;
  private static final int GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11,
      GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5,
      NODE_DOMAIN = 7;
  private static final int ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_INTS = 8, ATTR_TYPE = 20;
  private static final int ATTR_TYPE_FLOAT = 1, ATTR_TYPE_INT = 2, ATTR_TYPE_INTS = 7;
  private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9;
  private static final int VALUE_NAME = 1, VALUE_TYPE = 2;
  private static final int TYPE_TENSOR = 1, TENSOR_TYPE_ELEM_TYPE = 1, TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1, DIM_VALUE = 1, DIM_PARAM = 2;
  /** IR version 8 (ONNX 1.10+): the oldest that carries opset 17, which every ONNX Runtime since 1.12 reads. */
  private static final long IR_VERSION = 8;

  private final List<Proto> nodes = new ArrayList<>();
  private final List<Proto> initializers = new ArrayList<>();
  private final List<Proto> inputs = new ArrayList<>();
  private final List<Proto> outputs = new ArrayList<>();
  private final Map<String, Long> opsets = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private int names;

  /** {@code defaultOpset}: the version of the standard operators ("ai.onnx") the nodes follow. */
  public OnnxBuilder(long defaultOpset) {
    opsets.put("", defaultOpset);
  }

  /** A graph input or output's dimension: a fixed size (a {@link Long}) or a named, dynamic one (a String). */
  public OnnxBuilder input(String name, int elemType, Object... dims) {
    inputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  public OnnxBuilder output(String name, int elemType, Object... dims) {
    outputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /** Uses operators of another domain (e.g. {@link #MICROSOFT}) at {@code version}. */
  public OnnxBuilder opset(String domain, long version) {
    opsets.put(domain, version);
    return this;
  }

  /** A string in the model's {@code metadata_props}, which ONNX Runtime returns as custom metadata. */
  public OnnxBuilder metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** A float32 initializer, row-major. */
  public String floats(String name, float[] values, long... dims) {
    checkCount(name, values.length, dims);
    initializers.add(tensor(name, FLOAT, dims, values.length * 4L, out -> {
      ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < values.length; ) {
        buffer.clear();
        int n = Math.min(values.length - i, buffer.capacity() / 4);
        buffer.asFloatBuffer().put(values, i, n);
        out.writeRawBytes(buffer.array(), 0, n * 4);
        i += n;
      }
    }));
    return name;
  }

  /** An int8 initializer, row-major. */
  public String int8s(String name, byte[] values, long... dims) {
    checkCount(name, values.length, dims);
    initializers.add(tensor(name, INT8, dims, values.length, out -> out.writeRawBytes(values)));
    return name;
  }

  /** An int64 initializer, row-major; dims empty for a scalar. */
  public String int64s(String name, long[] values, long... dims) {
    checkCount(name, values.length, dims);
    initializers.add(tensor(name, INT64, dims, values.length * 8L, out -> {
      ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asLongBuffer().put(values);
      out.writeRawBytes(buffer.array());
    }));
    return name;
  }

  /**
   * Adds a node; returns its first output, named after the node. {@code attributes}: name, value pairs (a Long, a
   * Float or a long[]). An empty input name is ONNX's "optional input left out".
   */
  public String node(String opType, String domain, List<String> in, Object... attributes) {
    return nodeWithOutputs(opType, domain, in, 1, attributes).get(0);
  }

  /** As {@link #node}, with {@code outputCount} outputs named after the node. */
  public List<String> nodeWithOutputs(String opType, String domain, List<String> in, int outputCount,
                                      Object... attributes) {
    String name = opType + "_" + names++;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < outputCount; i++) {
      out.add(outputCount == 1 ? name : name + "_" + i);
    }
    nodeNamed(name, opType, domain, in, out, attributes);
    return out;
  }

  /** Adds a node whose outputs take given names (a graph output's, say). */
  public void nodeNamed(String name, String opType, String domain, List<String> in, List<String> out,
                        Object... attributes) {
    if (attributes.length % 2 != 0) {
      throw new IllegalArgumentException(opType + ": attributes come as name, value pairs");
    }
    Proto node = new Proto();
    in.forEach(i -> node.string(NODE_INPUT, i));
    out.forEach(o -> node.string(NODE_OUTPUT, o));
    node.string(NODE_NAME, name).string(NODE_OP_TYPE, opType);
    for (int i = 0; i < attributes.length; i += 2) {
      node.message(NODE_ATTRIBUTE, attribute((String) attributes[i], attributes[i + 1]));
    }
    if (!domain.isEmpty()) {
      node.string(NODE_DOMAIN, domain);
    }
    nodes.add(node);
  }

  /** Writes the model; the stream is left open. */
  public void writeTo(OutputStream stream, String graphName, String producer, String producerVersion)
      throws IOException {
    Proto graph = new Proto();
    nodes.forEach(n -> graph.message(GRAPH_NODE, n));
    graph.string(GRAPH_NAME, graphName);
    initializers.forEach(t -> graph.message(GRAPH_INITIALIZER, t));
    inputs.forEach(v -> graph.message(GRAPH_INPUT, v));
    outputs.forEach(v -> graph.message(GRAPH_OUTPUT, v));
    Proto model = new Proto().int64(MODEL_IR_VERSION, IR_VERSION).string(MODEL_PRODUCER_NAME, producer)
        .string(MODEL_PRODUCER_VERSION, producerVersion);
    opsets.forEach((domain, version) -> model.message(MODEL_OPSET_IMPORT,
        new Proto().string(OPSET_DOMAIN, domain).int64(OPSET_VERSION, version)));
    // the metadata before the graph, so that a reader finds it in the file's first bytes
    metadata.forEach((key, value) -> model.message(MODEL_METADATA_PROPS,
        new Proto().string(ENTRY_KEY, key).string(ENTRY_VALUE, value)));
    model.message(MODEL_GRAPH, graph);
    CodedOutputStream out = CodedOutputStream.newInstance(stream, 1 << 16);
    model.writeTo(out);
    out.flush();
  }

  private static Proto attribute(String name, Object value) {
    Proto a = new Proto().string(ATTR_NAME, name);
    if (value instanceof Long l) {
      a.int64(ATTR_I, l).int64(ATTR_TYPE, ATTR_TYPE_INT);
    } else if (value instanceof Integer i) {
      a.int64(ATTR_I, i).int64(ATTR_TYPE, ATTR_TYPE_INT);
    } else if (value instanceof Float f) {
      a.float32(ATTR_F, f).int64(ATTR_TYPE, ATTR_TYPE_FLOAT);
    } else if (value instanceof long[] ints) {
      a.packedInt64(ATTR_INTS, ints).int64(ATTR_TYPE, ATTR_TYPE_INTS);
    } else {
      throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
    }
    return a;
  }

  private static Proto tensor(String name, int dataType, long[] dims, long bytes, Proto.Writer raw) {
    Proto t = new Proto();
    if (dims.length > 0) {
      t.packedInt64(TENSOR_DIMS, dims);
    }
    return t.int64(TENSOR_DATA_TYPE, dataType).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, bytes, raw);
  }

  private static Proto valueInfo(String name, int elemType, Object... dims) {
    Proto shape = new Proto();
    for (Object d : dims) {
      Proto dim = d instanceof String param ? new Proto().string(DIM_PARAM, param)
          : new Proto().int64(DIM_VALUE, ((Number) d).longValue());
      shape.message(SHAPE_DIM, dim);
    }
    Proto tensorType = new Proto().int64(TENSOR_TYPE_ELEM_TYPE, elemType).message(TENSOR_TYPE_SHAPE, shape);
    return new Proto().string(VALUE_NAME, name).message(VALUE_TYPE, new Proto().message(TYPE_TENSOR, tensorType));
  }

  private static void checkCount(String name, long count, long[] dims) {
    long expected = 1;
    for (long d : dims) {
      expected *= d;
    }
    if (count != expected) {
      throw new IllegalArgumentException(name + ": " + count + " values for shape " + Arrays.toString(dims));
    }
  }
}
