package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder alone, on windows small enough to write out: the cases real windows do not bring. */
class SpanDecoderTest {
  /** [CLS] q [SEP] 😀 paris is big [SEP], offsets in code points as the features table has them. */
  private static final String CONTEXT = "😀 Paris is big";
  private static final int[][] OFFSETS = {null, null, null, {0, 1}, {2, 7}, {8, 10}, {11, 14}, null};

  private static float[] at(int index, float value) {
    float[] v = new float[OFFSETS.length];
    v[index] = value;
    return v;
  }

  @Test
  void textIsCutByCodePointsNotUtf16Chars() {
    // The emoji is one code point but two Java chars: a char-indexed cut would give "Pari" and " i".
    SpanDecoder.Decoded d = SpanDecoder.decode(CONTEXT,
        List.of(new SpanDecoder.Window(at(4, 5), at(5, 5), OFFSETS)), SpanDecoder.Config.defaults(false));
    assertThat(d.text()).isEqualTo("Paris is");
    SpanDecoder.Decoded emoji = SpanDecoder.decode(CONTEXT,
        List.of(new SpanDecoder.Window(at(3, 5), at(3, 5), OFFSETS)), SpanDecoder.Config.defaults(false));
    assertThat(emoji.text()).isEqualTo("😀");
  }

  @Test
  void equalLogitsRankTheLaterPositionFirst() {
    assertThat(SpanDecoder.topIndexes(new float[] {1, 3, 3, 2, 3}, 4)).containsExactly(4, 2, 1, 3);
  }

  @Test
  void withOnlyTheNullAnswerLeftHfsPlaceholderDecidesAgainstIt() {
    // No context token at all: HF inserts {"text": "empty", score 0} before the lone null answer and compares
    // the null score with that placeholder's 0 + 0.
    int[][] none = new int[OFFSETS.length][];
    SpanDecoder.Decoded sure = SpanDecoder.decode(CONTEXT,
        List.of(new SpanDecoder.Window(at(0, 1), at(0, 1), none)), SpanDecoder.Config.defaults(true));
    assertThat(sure.text()).isEmpty();
    assertThat(sure.nullOdds()).isEqualTo(2.0);
    assertThat(sure.nbest()).extracting(SpanDecoder.Candidate::text).containsExactly("empty", "");
    SpanDecoder.Decoded unsure = SpanDecoder.decode(CONTEXT,
        List.of(new SpanDecoder.Window(at(0, -1), at(0, -1), none)), SpanDecoder.Config.defaults(true));
    assertThat(unsure.text()).isEqualTo("empty");
    assertThat(unsure.nullOdds()).isEqualTo(-2.0);
  }
}
