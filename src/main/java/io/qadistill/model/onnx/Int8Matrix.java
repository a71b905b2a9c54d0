package io.qadistill.model.onnx;

/**
 * A linear layer's weight quantized symmetrically per output channel: for each output {@code o}, scale =
 * max |w[o, ·]| / 127 and q = round(w / scale) in [-127, 127], halves to even (zero point 0; -128 is left unused so
 * that the range is symmetric), as ONNX Runtime's {@code quantize_dynamic} does with {@code per_channel=True} for int8
 * weights.
 *
 * @param values row-major [in, out], ONNX's MatMul layout
 * @param scales one per output channel; w ≈ q × scale
 */
public record Int8Matrix(byte[] values, float[] scales) {
  private static final int MAX = 127;

  /** {@code weight}: row-major [out, in], PyTorch's layout. */
  public static Int8Matrix quantize(float[] weight, int out, int in) {
    if (weight.length != (long) out * in) {
      throw new IllegalArgumentException(weight.length + " values for a [" + out + ", " + in + "] weight");
    }
    byte[] q = new byte[weight.length];
    float[] scales = new float[out];
    for (int o = 0; o < out; o++) {
      float max = 0;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(weight[o * in + i]));
      }
      // an all-zero channel (a pruned unit) keeps scale 1: every value quantizes to 0 either way
      float scale = max > 0 ? max / MAX : 1f;
      scales[o] = scale;
      for (int i = 0; i < in; i++) {
        int v = (int) Math.rint(weight[o * in + i] / scale); // halves to even, as numpy's round in ORT's quantizer
        q[i * out + o] = (byte) Math.max(-MAX, Math.min(MAX, v));
      }
    }
    return new Int8Matrix(q, scales);
  }
}
