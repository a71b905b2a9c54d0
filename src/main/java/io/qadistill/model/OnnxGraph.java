package io.qadistill.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model that an import needs: nodes (op type, inputs, outputs, a few attributes), graph
 * inputs and float tensors (initializers and {@code Constant} node values).
 *
 * <p>Read with protobuf-java's {@link CodedInputStream} (protobuf-java comes with Spark) by field number from
 * onnx.proto, instead of generated classes: eight message fields are all an import reads, and this keeps a
 * protoc build step and a second protobuf version out of the build.
 */
public final class OnnxGraph {
  /** A float tensor; {@code data} in row-major order. */
  public record Tensor(String name, long[] dims, float[] data) {}

  /** A node; {@code ints} holds the integer-list attributes (such as Transpose's perm), {@code floats} the floats. */
  public record Node(String opType, String name, List<String> inputs, List<String> outputs,
                     Map<String, long[]> ints, Map<String, Float> floats) {}

  // onnx.proto field numbers
  private static final int MODEL_GRAPH = 7, MODEL_METADATA_PROPS = 14;
  private static final int ENTRY_KEY = 1, ENTRY_VALUE = 2;
  private static final int GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11;
  private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5;
  private static final int ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_T = 5, ATTR_INTS = 8;
  private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_FLOAT_DATA = 4, TENSOR_INT64_DATA = 7,
      TENSOR_NAME = 8, TENSOR_RAW_DATA = 9, TENSOR_DATA_LOCATION = 14;
  private static final int VALUE_INFO_NAME = 1;
  private static final int FLOAT = 1, INT64 = 7;

  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final List<String> inputs = new ArrayList<>();

  private OnnxGraph() {}

  /** Parses a serialized ModelProto. */
  public static OnnxGraph parse(byte[] model) throws IOException {
    OnnxGraph graph = new OnnxGraph();
    CodedInputStream in = CodedInputStream.newInstance(model);
    in.setSizeLimit(Integer.MAX_VALUE);
    boolean found = false;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == MODEL_GRAPH) {
        int limit = in.pushLimit(in.readRawVarint32());
        graph.readGraph(in);
        in.popLimit(limit);
        found = true;
      } else {
        in.skipField(tag);
      }
    }
    if (!found) {
      throw new IOException("not an ONNX model: no graph");
    }
    return graph;
  }

  /**
   * A model file's metadata_props, read without its graph: the graph's bytes are skipped (a seek), so this costs
   * milliseconds whatever the model's size.
   */
  public static Map<String, String> metadata(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream stream = new FileInputStream(file.toFile())) {
      CodedInputStream in = CodedInputStream.newInstance(stream);
      in.setSizeLimit(Integer.MAX_VALUE);
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (WireFormat.getTagFieldNumber(tag) != MODEL_METADATA_PROPS) {
          in.skipField(tag);
          continue;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        String key = "";
        String value = "";
        for (int t; (t = in.readTag()) != 0; ) {
          switch (WireFormat.getTagFieldNumber(t)) {
            case ENTRY_KEY -> key = in.readString();
            case ENTRY_VALUE -> value = in.readString();
            default -> in.skipField(t);
          }
        }
        in.popLimit(limit);
        out.put(key, value);
      }
    }
    return out;
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** Float initializers and Constant-node float values by name, in file order. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** Names of the graph's inputs that are not initializers. */
  public List<String> inputs() {
    return inputs.stream().filter(n -> !tensors.containsKey(n)).toList();
  }

  private void readGraph(CodedInputStream in) throws IOException {
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case GRAPH_NODE -> {
          int limit = in.pushLimit(in.readRawVarint32());
          readNode(in);
          in.popLimit(limit);
        }
        case GRAPH_INITIALIZER -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Tensor t = readTensor(in, null);
          in.popLimit(limit);
          if (t != null) {
            tensors.put(t.name(), t);
          }
        }
        case GRAPH_INPUT -> {
          int limit = in.pushLimit(in.readRawVarint32());
          for (int t; (t = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(t) == VALUE_INFO_NAME) {
              inputs.add(in.readString());
            } else {
              in.skipField(t);
            }
          }
          in.popLimit(limit);
        }
        default -> in.skipField(tag);
      }
    }
  }

  private void readNode(CodedInputStream in) throws IOException {
    List<String> ins = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    Map<String, long[]> ints = new LinkedHashMap<>();
    Map<String, Float> floats = new LinkedHashMap<>();
    String name = "";
    String op = "";
    Tensor value = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case NODE_INPUT -> ins.add(in.readString());
        case NODE_OUTPUT -> outs.add(in.readString());
        case NODE_NAME -> name = in.readString();
        case NODE_OP_TYPE -> op = in.readString();
        case NODE_ATTRIBUTE -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Tensor t = readAttribute(in, ints, floats);
          in.popLimit(limit);
          value = t != null ? t : value;
        }
        default -> in.skipField(tag);
      }
    }
    if (op.equals("Constant") && value != null && outs.size() == 1) {
      tensors.put(outs.get(0), new Tensor(outs.get(0), value.dims(), value.data()));
    }
    nodes.add(new Node(op, name, ins, outs, ints, floats));
  }

  /** Reads one attribute into {@code ints}/{@code floats}; returns its tensor value if it has a float one. */
  private static Tensor readAttribute(CodedInputStream in, Map<String, long[]> ints, Map<String, Float> floats)
      throws IOException {
    String name = null;
    List<Long> values = new ArrayList<>();
    Float f = null;
    Tensor tensor = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case ATTR_NAME -> name = in.readString();
        case ATTR_F -> f = in.readFloat();
        case ATTR_I -> values.add(in.readInt64());
        case ATTR_INTS -> readInt64s(in, tag, values);
        case ATTR_T -> {
          int limit = in.pushLimit(in.readRawVarint32());
          tensor = readTensor(in, "");
          in.popLimit(limit);
        }
        default -> in.skipField(tag);
      }
    }
    if (name != null && !values.isEmpty()) {
      ints.put(name, values.stream().mapToLong(Long::longValue).toArray());
    }
    if (name != null && f != null) {
      floats.put(name, f);
    }
    return tensor;
  }

  /** Reads a TensorProto; null unless it is a float or int64 tensor stored inside the file. */
  private static Tensor readTensor(CodedInputStream in, String defaultName) throws IOException {
    List<Long> dims = new ArrayList<>();
    List<Long> int64s = new ArrayList<>();
    int dataType = 0;
    String name = defaultName;
    byte[] raw = null;
    float[] floatData = null;
    boolean external = false;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case TENSOR_DIMS -> readInt64s(in, tag, dims);
        case TENSOR_DATA_TYPE -> dataType = in.readInt32();
        case TENSOR_NAME -> name = in.readString();
        case TENSOR_RAW_DATA -> raw = in.readByteArray();
        case TENSOR_INT64_DATA -> readInt64s(in, tag, int64s);
        case TENSOR_FLOAT_DATA -> floatData = readFloats(in, tag, floatData);
        case TENSOR_DATA_LOCATION -> external = in.readEnum() == 1;
        default -> in.skipField(tag);
      }
    }
    if (external) {
      throw new IOException("tensor " + name + " keeps its data in an external file; import a single-file ONNX "
          + "model (onnx.load(path) then onnx.save(model, out, save_as_external_data=False))");
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    float[] data;
    if (dataType == FLOAT) {
      data = raw != null ? floatsOf(raw) : floatData != null ? floatData : new float[0];
    } else if (dataType == INT64) {
      // int64 constants (shapes, axes) are kept as floats: the import only reads their values as numbers.
      long[] longs = raw != null ? longsOf(raw) : int64s.stream().mapToLong(Long::longValue).toArray();
      data = new float[longs.length];
      for (int i = 0; i < longs.length; i++) {
        data[i] = longs[i];
      }
    } else {
      return null;
    }
    if (data.length != count) {
      throw new IOException("tensor " + name + " has " + data.length + " values for shape " + dims);
    }
    return new Tensor(name, shape, data);
  }

  private static void readInt64s(CodedInputStream in, int tag, List<Long> out) throws IOException {
    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int limit = in.pushLimit(in.readRawVarint32());
      while (in.getBytesUntilLimit() > 0) {
        out.add(in.readInt64());
      }
      in.popLimit(limit);
    } else {
      out.add(in.readInt64());
    }
  }

  private static float[] readFloats(CodedInputStream in, int tag, float[] sofar) throws IOException {
    List<Float> values = new ArrayList<>();
    if (sofar != null) {
      for (float v : sofar) {
        values.add(v);
      }
    }
    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int limit = in.pushLimit(in.readRawVarint32());
      while (in.getBytesUntilLimit() > 0) {
        values.add(in.readFloat());
      }
      in.popLimit(limit);
    } else {
      values.add(in.readFloat());
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static float[] floatsOf(byte[] raw) {
    float[] out = new float[raw.length / 4];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private static long[] longsOf(byte[] raw) {
    long[] out = new long[raw.length / 8];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }
}
