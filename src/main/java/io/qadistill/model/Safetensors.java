package io.qadistill.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format by hand: it is trivial (an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} [begin, end) into
 * the data, optional string {@code __metadata__}, then the raw little-endian data), and Jackson reads the
 * header, so no library is needed. Reading converts F32, F16 and BF16 to float; writing is always F32.
 */
public final class Safetensors {
  /** A tensor as floats, row-major. */
  public record Tensor(long[] shape, float[] data) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L << 20;

  private Safetensors() {}

  /**
   * Reads every floating-point tensor of a file, by name in file order. Integer tensors (such as the
   * {@code position_ids} buffer older checkpoints carry) are returned under their name with a null value.
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long headerLength = len.flip().getLong();
      long size = ch.size();
      if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
        throw new IOException(file + " is not a safetensors file (header length " + headerLength + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(header.array());
      long dataStart = 8 + headerLength;
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        String name = e.getKey();
        JsonNode info = e.getValue();
        String dtype = info.path("dtype").asText();
        long[] shape = new long[info.path("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = info.path("shape").get(i).asLong();
          count *= shape[i];
        }
        long begin = info.path("data_offsets").path(0).asLong(-1);
        long end = info.path("data_offsets").path(1).asLong(-1);
        if (begin < 0 || end < begin || dataStart + end > size) {
          throw new IOException(file + ": tensor " + name + " has bad data_offsets " + info.path("data_offsets"));
        }
        int width = switch (dtype) {
          case "F32", "I32" -> 4;
          case "F16", "BF16", "I16" -> 2;
          case "F64", "I64" -> 8;
          case "I8", "U8", "BOOL" -> 1;
          default -> throw new IOException(file + ": tensor " + name + " has unsupported dtype " + dtype);
        };
        if (end - begin != count * width) {
          throw new IOException(file + ": tensor " + name + " holds " + (end - begin) + " bytes, its shape and "
              + dtype + " need " + count * width);
        }
        if (!dtype.startsWith("F") && !dtype.equals("BF16")) {
          out.put(name, null);
          continue;
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, bytes, dataStart + begin);
        bytes.flip();
        float[] data = new float[(int) count];
        switch (dtype) {
          case "F32" -> bytes.asFloatBuffer().get(data);
          case "F64" -> {
            for (int i = 0; i < data.length; i++) {
              data[i] = (float) bytes.getDouble();
            }
          }
          case "F16" -> {
            for (int i = 0; i < data.length; i++) {
              data[i] = halfToFloat(bytes.getShort());
            }
          }
          default -> { // BF16: the upper half of a float32
            for (int i = 0; i < data.length; i++) {
              data[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
            }
          }
        }
        out.put(name, new Tensor(shape, data));
      }
      return out;
    }
  }

  /** Writes tensors as F32 in the given order, with {@code {"format": "pt"}} metadata as transformers writes. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode info = header.putObject(e.getKey());
      info.put("dtype", "F32");
      var shape = info.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = 4L * e.getValue().data().length;
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    // The format pads the header with spaces to a multiple of 8 so that the data is aligned.
    int padded = (json.length + 7) / 8 * 8;
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(padded).put(json);
      while (head.hasRemaining()) {
        head.put((byte) ' ');
      }
      out.write(head.array());
      for (Tensor t : tensors.values()) {
        ByteBuffer data = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = data.asFloatBuffer();
        floats.put(t.data());
        out.write(data.array());
      }
    }
  }

  /** IEEE 754 half precision to float (Float.float16ToFloat arrives only in Java 20). */
  static float halfToFloat(short half) {
    int sign = (half >>> 15) & 1;
    int exp = (half >>> 10) & 0x1f;
    int mant = half & 0x3ff;
    float magnitude;
    if (exp == 0) {
      magnitude = mant * 0x1p-24f; // subnormal
    } else if (exp == 31) {
      magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      magnitude = Float.intBitsToFloat(((exp + 112) << 23) | (mant << 13));
    }
    return sign == 1 ? -magnitude : magnitude;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, position);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      position += n;
    }
  }
}
