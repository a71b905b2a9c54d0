package io.qadistill.train;

import io.qadistill.model.QaModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every parameter of a model laid end to end in one float array, in state-dict order: what the driver holds,
 * broadcasts and updates, and what the partitions' gradients are summed into.
 */
public final class ParameterLayout implements Serializable {
  private final String[] names;
  private final int[] offsets; // offsets[i] .. offsets[i + 1] holds parameter i
  private final boolean[] decay;

  public ParameterLayout(QaModel model) {
    List<String> n = new ArrayList<>();
    List<Integer> o = new ArrayList<>();
    int offset = 0;
    for (var e : model.shapes().entrySet()) {
      n.add(e.getKey());
      o.add(offset);
      offset = Math.addExact(offset, Math.toIntExact(Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact)));
    }
    o.add(offset);
    names = n.toArray(String[]::new);
    offsets = o.stream().mapToInt(Integer::intValue).toArray();
    decay = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      decay[i] = model.decays(names[i]);
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

  /** A copy of the model's parameters. */
  public float[] read(QaModel model) {
    float[] out = new float[size()];
    for (int i = 0; i < names.length; i++) {
      model.readValues(names[i], out, offsets[i]);
    }
    return out;
  }

  /** A writer of values into the model's parameters (see {@link QaModel#writer}: no allocation per write). */
  public Writer writer(QaModel model) {
    return new Writer(model);
  }

  /** Sets a model's parameters from a flat array, again and again. */
  public final class Writer {
    private final QaModel.Writer parameters;

    private Writer(QaModel model) {
      parameters = model.writer(List.of(names));
    }

    public void write(float[] values) {
      if (values.length != size()) {
        throw new IllegalArgumentException(values.length + " values for " + size() + " parameters");
      }
      for (int i = 0; i < names.length; i++) {
        parameters.write(i, values, offsets[i]);
      }
    }
  }

  /** The gradient of every parameter (0 for one that has none yet). */
  public float[] gradients(QaModel model) {
    float[] out = new float[size()];
    for (int i = 0; i < names.length; i++) {
      model.readGradient(names[i], out, offsets[i]);
    }
    return out;
  }
}
