package io.qadistill.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.qadistill.model.BertQaBlock;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a model laid end to end in one float array, in state-dict order: what the driver holds,
 * broadcasts and updates, and what the partitions' gradients are summed into.
 */
public final class ParameterLayout implements Serializable {
  private final String[] names;
  private final int[] offsets; // offsets[i] .. offsets[i + 1] holds parameter i
  private final boolean[] decay;

  public ParameterLayout(BertQaBlock block) {
    List<String> n = new ArrayList<>();
    List<Integer> o = new ArrayList<>();
    int offset = 0;
    for (var e : block.shapes().entrySet()) {
      n.add(e.getKey());
      o.add(offset);
      offset = Math.addExact(offset, Math.toIntExact(e.getValue().size()));
    }
    o.add(offset);
    names = n.toArray(String[]::new);
    offsets = o.stream().mapToInt(Integer::intValue).toArray();
    decay = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      // transformers' examples exempt biases and LayerNorm weights from weight decay
      decay[i] = !(names[i].endsWith("bias") || names[i].endsWith("LayerNorm.weight"));
    }
  }

  /** Values in all. */
  public int size() {
    return offsets[names.length];
  }

  public int count() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  public int offset(int i) {
    return offsets[i];
  }

  public int length(int i) {
    return offsets[i + 1] - offsets[i];
  }

  /** Whether AdamW's weight decay applies to parameter i. */
  public boolean decays(int i) {
    return decay[i];
  }

  /** A copy of the block's parameters. */
  public float[] read(BertQaBlock block) {
    float[] out = new float[size()];
    Map<String, Parameter> params = block.parameters();
    for (int i = 0; i < names.length; i++) {
      copy(params.get(names[i]).getArray(), out, offsets[i]);
    }
    return out;
  }

  /** A writer of values into the block's parameters. */
  public Writer writer(BertQaBlock block) {
    return new Writer(block);
  }

  /**
   * Sets a block's parameters from a flat array, again and again without allocating: each parameter gets one
   * native-order direct buffer, and the PyTorch engine's {@code set} makes that buffer the tensor's storage (no
   * copy; the array keeps a reference to it), so later writes only fill the buffers. Setting storage keeps the
   * tensor, so its requires-gradient flag and gradient stay attached.
   */
  public final class Writer {
    private final NDArray[] arrays = new NDArray[names.length];
    private final ByteBuffer[] buffers = new ByteBuffer[names.length];

    private Writer(BertQaBlock block) {
      for (int i = 0; i < names.length; i++) {
        arrays[i] = block.parameters().get(names[i]).getArray();
        buffers[i] = ByteBuffer.allocateDirect(length(i) * Float.BYTES).order(ByteOrder.nativeOrder());
      }
    }

    public void write(float[] values) {
      if (values.length != size()) {
        throw new IllegalArgumentException(values.length + " values for " + size() + " parameters");
      }
      for (int i = 0; i < names.length; i++) {
        buffers[i].clear();
        buffers[i].asFloatBuffer().put(values, offsets[i], length(i));
        arrays[i].set(buffers[i]);
      }
    }
  }

  /** The gradient of every parameter (0 for one that has none yet). */
  public float[] gradients(BertQaBlock block) {
    float[] out = new float[size()];
    Map<String, Parameter> params = block.parameters();
    for (int i = 0; i < names.length; i++) {
      NDArray array = params.get(names[i]).getArray();
      if (array.hasGradient()) {
        try (NDArray g = array.getGradient()) {
          copy(g, out, offsets[i]);
        }
      }
    }
    return out;
  }

  private static void copy(NDArray array, float[] out, int offset) {
    ByteBuffer bytes = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
    bytes.asFloatBuffer().get(out, offset, bytes.remaining() / Float.BYTES);
  }
}
