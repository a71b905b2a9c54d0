package io.qadistill.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * torch.optim.AdamW (what transformers' examples train with), on flat float arrays: for each value,
 * with the step's learning rate {@code lr} and t the 1-based update count,
 * <pre>
 *   p ← p · (1 − lr · weight_decay)                  (only where the layout says the parameter decays)
 *   m ← β1 · m + (1 − β1) · g
 *   v ← β2 · v + (1 − β2) · g²
 *   p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Its state (m, v, t) is what a checkpoint saves besides the parameters. The same inputs give the same floats in
 * every JVM: Java's float and double arithmetic and {@code Math.sqrt} are exactly IEEE 754, and the bias corrections
 * use {@code StrictMath.pow} ({@code Math.pow} may differ by an ulp between CPUs and JIT intrinsics), so replicas of
 * a run on different executors stay bit-identical.
 */
public final class AdamW {
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.999;

  /** Values updated by one thread at a time. */
  private static final int CHUNK = 1 << 18;

  private record Chunk(int from, int to, boolean decays) {}

  private final List<Chunk> chunks;
  private final double weightDecay;
  private final double epsilon;
  private final float[] m;
  private final float[] v;
  private long steps;

  public AdamW(ParameterLayout layout, double weightDecay, double epsilon) {
    List<Chunk> c = new ArrayList<>();
    for (int p = 0; p < layout.count(); p++) {
      for (int from = layout.offset(p), end = from + layout.length(p); from < end; from += CHUNK) {
        c.add(new Chunk(from, Math.min(end, from + CHUNK), layout.decays(p)));
      }
    }
    this.chunks = List.copyOf(c);
    this.weightDecay = weightDecay;
    this.epsilon = epsilon;
    this.m = new float[layout.size()];
    this.v = new float[layout.size()];
  }

  /**
   * Updates {@code params} in place from the gradient {@code grad × gradScale} (the scale turns a sum into a
   * clipped mean without another pass over the values). Chunks of the parameters are updated in parallel; each
   * value's arithmetic is the same whatever the thread.
   */
  public void step(float[] params, float[] grad, double gradScale, double lr) {
    float scale = (float) gradScale;
    steps++;
    double correction1 = 1 - StrictMath.pow(BETA1, steps);
    double sqrtCorrection2 = Math.sqrt(1 - StrictMath.pow(BETA2, steps));
    double stepSize = lr / correction1;
    IntStream.range(0, chunks.size()).parallel().forEach(c -> {
      Chunk chunk = chunks.get(c);
      float shrink = (float) (chunk.decays() ? 1 - lr * weightDecay : 1);
      for (int i = chunk.from(); i < chunk.to(); i++) {
        float g = grad[i] * scale;
        m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
        v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
        double denominator = Math.sqrt(v[i]) / sqrtCorrection2 + epsilon;
        params[i] = (float) (params[i] * shrink - stepSize * m[i] / denominator);
      }
    });
  }

  /** Updates taken so far. */
  public long steps() {
    return steps;
  }

  /** The first moments (the array itself). */
  public float[] firstMoments() {
    return m;
  }

  /** The second moments (the array itself). */
  public float[] secondMoments() {
    return v;
  }

  /** The parameters and the two moments end to end (3 × the parameters): a replica's state. */
  public float[] state(float[] params) {
    int n = m.length;
    float[] state = Arrays.copyOf(params, 3 * n);
    System.arraycopy(m, 0, state, n, n);
    System.arraycopy(v, 0, state, 2 * n, n);
    return state;
  }

  /** Continues from {@code state} (laid out as {@link #state}) after {@code steps} updates; returns the parameters. */
  public float[] restoreState(long steps, float[] state) {
    int n = m.length;
    if (state.length != 3 * n) {
      throw new IllegalArgumentException(state.length + " values of state for " + n + " parameters");
    }
    System.arraycopy(state, n, m, 0, n);
    System.arraycopy(state, 2 * n, v, 0, n);
    this.steps = steps;
    return Arrays.copyOf(state, n);
  }

  /** The L2 norm of a gradient. */
  public static double norm(float[] grad) {
    double sum = 0;
    for (float g : grad) {
      sum += (double) g * g;
    }
    return Math.sqrt(sum);
  }

  /**
   * torch's clip_grad_norm_: the factor maxNorm / (norm + 1e-6) when that is below 1, else 1 (and 1 when
   * {@code maxNorm} ≤ 0: no clipping).
   */
  public static double clipFactor(double norm, double maxNorm) {
    double factor = maxNorm / (norm + 1e-6);
    return maxNorm > 0 && factor < 1 ? factor : 1;
  }

  /**
   * transformers' {@code get_linear_schedule_with_warmup}: the factor of the base learning rate for the update
   * with 0-based index {@code step}: step / warmup while warming up, then linear decay to 0 at {@code total}.
   */
  public static double linearSchedule(long step, long warmup, long total) {
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    return Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
  }
}
