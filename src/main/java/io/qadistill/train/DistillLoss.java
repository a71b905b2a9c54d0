package io.qadistill.train;

import ai.djl.ndarray.NDArray;
import io.qadistill.common.UsageException;
import io.qadistill.model.QaLoss;
import io.qadistill.model.QaObjective;
import io.qadistill.model.Scalars;
import java.io.Serializable;

/**
 * The loss of Hugging Face's {@code run_squad_w_distillation.py}, per window:
 * <pre>
 *   loss = alpha_ce · T² · (KL(softmax(t_start/T) ‖ softmax(s_start/T)) + KL(…end…)) / 2
 *        + alpha_squad · (CE(s_start, start_position) + CE(s_end, end_position)) / 2
 * </pre>
 * with {@code s} the student's logits, {@code t} the teacher's. {@code alpha_ce = 0} is plain fine-tuning
 * (run_squad.py's loss when {@code alpha_squad = 1}); no teacher logits are needed then. With
 * {@code alpha_hidden > 0}, DistilBERT's cosine loss on the last hidden state is added:
 * {@code alpha_hidden · mean over the window's tokens of (1 − cos(h_s, h_t))}, with {@code h_t} computed by the
 * teacher during training (the student's last layer against the teacher's; with a student of the teacher's
 * layers 0, 2, 4, its layer i against the teacher's 2i + 1).
 *
 * <p>One difference, on purpose: the script pads every window to 384 tokens and lets the padding positions into
 * both softmaxes, so its loss depends on the padding. Windows here are stored unpadded and padded per batch, so
 * padding is masked out (both softmaxes run over the window's own tokens): a window's loss and gradient do not
 * depend on the batch it lands in, which is what makes the data-parallel step equal to one big batch.
 *
 * @param temperature T, > 0
 * @param alphaCe weight of the distillation term, ≥ 0
 * @param alphaSquad weight of the hard-label cross-entropy, ≥ 0
 * @param alphaHidden weight of the hidden-state cosine loss, ≥ 0
 */
public record DistillLoss(double temperature, double alphaCe, double alphaSquad, double alphaHidden)
    implements QaObjective, Serializable {
  /** run_squad_w_distillation.py's defaults. */
  public static final double TEMPERATURE = 2.0;
  public static final double ALPHA_CE = 0.5;
  public static final double ALPHA_SQUAD = 0.5;
  public static final DistillLoss DEFAULT = new DistillLoss(TEMPERATURE, ALPHA_CE, ALPHA_SQUAD);
  /** Fine-tuning on hard labels only: run_squad.py's loss. */
  public static final DistillLoss FINE_TUNE = new DistillLoss(1.0, 0.0, 1.0);
  /** torch's CosineSimilarity eps: x·y / max(‖x‖·‖y‖, eps). */
  private static final float COSINE_EPS = 1e-8f;

  /** Added to the logits of padding positions: their probability underflows to exactly 0, with no NaN. */
  private static final float MASKED = -1e9f;

  public DistillLoss {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new UsageException("temperature " + temperature + " must be > 0 (run_squad_w_distillation.py uses 2)");
    }
    if (!(alphaCe >= 0) || !(alphaSquad >= 0) || alphaCe + alphaSquad == 0 || Double.isInfinite(alphaCe + alphaSquad)) {
      throw new UsageException("alpha_ce " + alphaCe + " and alpha_squad " + alphaSquad
          + " must be finite, ≥ 0 and not both 0 (defaults 0.5 and 0.5)");
    }
    if (!(alphaHidden >= 0) || Double.isInfinite(alphaHidden)) {
      throw new UsageException("alpha_hidden " + alphaHidden + " must be finite and ≥ 0 (0: no hidden-state loss)");
    }
    if (alphaHidden > 0 && alphaCe == 0) {
      throw new UsageException("alpha_hidden " + alphaHidden + " distils hidden states, which needs alpha_ce > 0 "
          + "(and the teacher's logits) too");
    }
  }

  /** Without a hidden-state term. */
  public DistillLoss(double temperature, double alphaCe, double alphaSquad) {
    this(temperature, alphaCe, alphaSquad, 0);
  }

  /** This loss with the hidden-state term weighted {@code alpha}. */
  public DistillLoss withAlphaHidden(double alpha) {
    return new DistillLoss(temperature, alphaCe, alphaSquad, alpha);
  }

  /** Whether the loss reads teacher logits. */
  @Override
  public boolean needsTeacher() {
    return alphaCe > 0;
  }

  /** Sums over a batch's windows: {@code total} to differentiate, and its two parts (before their alphas). */
  public record Sums(NDArray total, NDArray distill, NDArray squad) implements QaObjective.Terms {}

  /**
   * The loss summed over the batch's windows (sums, not means, so that partitions' results add up; divide by
   * the window count for run_squad_w_distillation.py's batch mean).
   *
   * @param start student start logits [batch, length]
   * @param end student end logits [batch, length]
   * @param mask 1 for a window's tokens, 0 for padding [batch, length], float32
   * @param startPositions [batch] int64
   * @param endPositions [batch] int64
   * @param teacherStart teacher start logits [batch, length] (any value at padding), or null when
   *     {@code alpha_ce = 0}
   * @param teacherEnd as teacherStart, for the end
   */
  @Override
  public Sums sums(NDArray start, NDArray end, NDArray mask, NDArray startPositions, NDArray endPositions,
                   NDArray teacherStart, NDArray teacherEnd) {
    NDArray squad = QaLoss.perWindow(start, mask, startPositions)
        .add(QaLoss.perWindow(end, mask, endPositions)).div(Scalars.of(start, 2f));
    NDArray distill;
    if (needsTeacher()) {
      NDArray padding = mask.neg().add(1f).mul(MASKED);
      if (teacherStart == null || teacherEnd == null) {
        throw new IllegalArgumentException("alpha_ce " + alphaCe + " > 0 needs teacher logits");
      }
      float t = (float) temperature;
      distill = kl(teacherStart.add(padding), start.add(padding), t)
          .add(kl(teacherEnd.add(padding), end.add(padding), t))
          .mul(Scalars.of(start, t * t / 2f));
    } else {
      distill = squad.zerosLike();
    }
    NDArray total = distill.mul(Scalars.of(start, (float) alphaCe))
        .add(squad.mul(Scalars.of(start, (float) alphaSquad)));
    return new Sums(total.sum(), distill.sum(), squad.sum());
  }

  @Override
  public double hiddenWeight() {
    return alphaHidden;
  }

  /**
   * DistilBERT's cosine loss per window: the mean over its tokens of 1 − cos(student's, teacher's hidden state),
   * summed over the windows (DistilBERT averages over the batch's tokens; per window, a window's loss does not
   * depend on the batch it lands in).
   */
  @Override
  public NDArray hiddenSums(NDArray hidden, NDArray teacherHidden, NDArray mask) {
    int[] width = {2};
    NDArray dot = hidden.mul(teacherHidden).sum(width);
    NDArray norms = hidden.square().sum(width).sqrt().mul(teacherHidden.square().sum(width).sqrt());
    NDArray cos = dot.div(norms.maximum(Scalars.of(norms, COSINE_EPS)));
    NDArray perToken = cos.neg().add(1f).mul(mask);
    return perToken.sum(new int[] {1}).div(mask.sum(new int[] {1})).sum();
  }

  /** KL(softmax(teacher/T) ‖ softmax(student/T)) per row, as torch's KLDivLoss on log-probabilities. */
  private static NDArray kl(NDArray teacher, NDArray student, float t) {
    NDArray temperature = Scalars.of(student, t);
    NDArray logTeacher = teacher.div(temperature).logSoftmax(1);
    NDArray logStudent = student.div(temperature).logSoftmax(1);
    return logTeacher.exp().mul(logTeacher.sub(logStudent)).sum(new int[] {1});
  }
}
