package io.qadistill.model.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One protobuf message being built, field by field, in the order the fields are added; {@link #writeTo} streams it.
 * A nested message's length comes before its bytes on the wire, so each message knows its size before any byte
 * is written and a model's weights are written once, straight from their arrays, without a serialized copy in
 * memory. Only the wire types ONNX's messages use: varints, 32-bit floats, length-delimited strings, bytes, packed
 * varints and messages.
 */
final class Proto {
  /** Writes some fields' or bytes' encoding. */
  @FunctionalInterface
  interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private record Field(int size, Writer writer) {}

  private final List<Field> fields = new ArrayList<>();
  private int size = -1;

  Proto int64(int number, long value) {
    return add(CodedOutputStream.computeInt64Size(number, value), out -> out.writeInt64(number, value));
  }

  Proto float32(int number, float value) {
    return add(CodedOutputStream.computeFloatSize(number, value), out -> out.writeFloat(number, value));
  }

  Proto string(int number, String value) {
    return add(CodedOutputStream.computeStringSize(number, value), out -> out.writeString(number, value));
  }

  /** Repeated int64 as one packed field (proto3's default for repeated scalars). */
  Proto packedInt64(int number, long[] values) {
    int body = 0;
    for (long v : values) {
      body += CodedOutputStream.computeInt64SizeNoTag(v);
    }
    int length = body;
    return add(CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(length) + length,
        out -> {
          out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(length);
          for (long v : values) {
            out.writeInt64NoTag(v);
          }
        });
  }

  Proto message(int number, Proto message) {
    int length = message.size();
    return add(CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(length) + length,
        out -> {
          out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(length);
          message.writeTo(out);
        });
  }

  /** A {@code bytes} field of {@code length} bytes that {@code content} writes (a tensor's, converted as written). */
  Proto bytes(int number, long length, Writer content) {
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a field over 2 GB (" + length + " bytes): protobuf's limit");
    }
    int n = (int) length;
    return add(CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt32SizeNoTag(n) + n, out -> {
      out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(n);
      content.write(out);
    });
  }

  int size() {
    if (size < 0) {
      long total = 0;
      for (Field f : fields) {
        total += f.size();
      }
      if (total > Integer.MAX_VALUE) {
        throw new IllegalStateException("an ONNX message over 2 GB (" + total + " bytes): protobuf's limit");
      }
      size = (int) total;
    }
    return size;
  }

  void writeTo(CodedOutputStream out) throws IOException {
    for (Field f : fields) {
      f.writer().write(out);
    }
  }

  private Proto add(int fieldSize, Writer writer) {
    size = -1;
    fields.add(new Field(fieldSize, writer));
    return this;
  }
}
