package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.model.QaScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embeddings of the three families, each against a BERT graph built to compute the same thing another way:
 * RoBERTa's positions (pad_token_id + the count of real tokens, from the mask, on padded batches) against BERT's
 * positions from 0 over a table shifted by pad_token_id + 1 rows with the one token type folded in, each window
 * alone; DistilBERT's missing token types against BERT with an all-zero token-type table.
 */
class QaGraphFamiliesTest {
  private static final int VOCAB = 50;
  private static final int HIDDEN = 16;
  private static final int POSITIONS = 40;
  private static final int PAD = 1;

  @TempDir Path dir;
  private final Random random = new Random(11);

  @Test
  void robertaPositionsCountRealTokensFromPadTokenIdPlusOne() throws Exception {
    float[] positions = values(POSITIONS * HIDDEN);
    float[] type = values(HIDDEN);
    EncoderWeights roberta = weights(sizes(1, true), positions, type);
    float[] shifted = new float[(POSITIONS - PAD - 1) * HIDDEN];
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] = positions[(PAD + 1) * HIDDEN + i] + type[i % HIDDEN];
    }
    EncoderWeights bert = new EncoderWeights(sizes(0, false, POSITIONS - PAD - 1), roberta.word(), shifted, null,
        roberta.normWeight(), roberta.normBias(), roberta.layers(), roberta.qaWeight(), roberta.qaBias());
    assertSameLogits(roberta, bert);
  }

  @Test
  void distilbertTakesNoTokenTypes() throws Exception {
    float[] positions = values(POSITIONS * HIDDEN);
    EncoderWeights distilbert = weights(sizes(0, false), positions, null);
    EncoderWeights bert = new EncoderWeights(sizes(2, false), distilbert.word(), positions, new float[2 * HIDDEN],
        distilbert.normWeight(), distilbert.normBias(), distilbert.layers(), distilbert.qaWeight(),
        distilbert.qaBias());
    assertSameLogits(distilbert, bert);
  }

  /** {@code family} on padded batches against {@code reference} one window at a time: the same logits. */
  private void assertSameLogits(EncoderWeights family, EncoderWeights reference) throws Exception {
    Path a = dir.resolve("family.onnx");
    Path b = dir.resolve("reference.onnx");
    OnnxExport.write(family, QaGraph.Precision.FP32, false, a, Map.of());
    OnnxExport.write(reference, QaGraph.Precision.FP32, false, b, Map.of());
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    for (int length : new int[] {5, 17, 9, 30, 2, 12}) {
      int[] row = new int[length];
      for (int i = 0; i < length; i++) {
        row[i] = 2 + random.nextInt(VOCAB - 2); // never the pad id
      }
      ids.add(row);
      int[] t = new int[length];
      Arrays.fill(t, length / 2, length, 1);
      types.add(t);
    }
    List<float[]> batched = PaddedRuns.run(a, ids, types, 6, Map.of(QaGraph.START, 1)).get(QaGraph.START);
    try (OnnxQaSession session = OnnxQaSession.open(b, 1);
         OnnxQaSession familySession = OnnxQaSession.open(a, 1)) {
      assertThat(familySession.takesTokenTypes()).isFalse();
      for (int r = 0; r < ids.size(); r++) {
        float[] alone = session.score(List.of(ids.get(r)), List.of(types.get(r)), QaScorer.Options.DEFAULT).get(0)
            .start();
        for (int i = 0; i < alone.length; i++) {
          assertThat(Math.abs(batched.get(r)[i] - alone[i])).as("row %d token %d", r, i).isLessThan(1e-5f);
        }
      }
    }
  }

  private EncoderWeights.Sizes sizes(int types, boolean afterPadding) {
    return sizes(types, afterPadding, POSITIONS);
  }

  private static EncoderWeights.Sizes sizes(int types, boolean afterPadding, int positions) {
    return new EncoderWeights.Sizes(VOCAB, HIDDEN, 2, 32, positions, types, "gelu", 1e-12, afterPadding, PAD);
  }

  private EncoderWeights weights(EncoderWeights.Sizes sizes, float[] positions, float[] type) {
    List<EncoderWeights.Layer> layers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      int h = HIDDEN * HIDDEN;
      layers.add(new EncoderWeights.Layer(values(h), values(HIDDEN), values(h), values(HIDDEN), values(h),
          values(HIDDEN), values(h), values(HIDDEN), ones(), values(HIDDEN), values(32 * HIDDEN), values(32),
          values(32 * HIDDEN), values(HIDDEN), ones(), values(HIDDEN)));
    }
    return new EncoderWeights(sizes, values(VOCAB * HIDDEN), positions, type, ones(), values(HIDDEN), layers,
        values(2 * HIDDEN), values(2));
  }

  private float[] values(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * 0.5);
    }
    return v;
  }

  private static float[] ones() {
    float[] v = new float[HIDDEN];
    Arrays.fill(v, 1);
    return v;
  }
}
