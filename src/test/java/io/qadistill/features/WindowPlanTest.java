package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlanTest {
  @Test
  void shortContextIsOneWindow() {
    assertThat(WindowPlan.contextSpans(384, 3, 128, 10, 371)).containsExactly(new int[] {0, 371});
  }

  @Test
  void longContextOverlapsByTheStrideAndEndsAtTheEnd() {
    // room = 20 - 5 - 3 = 12, step = 12 - 4 = 8: [0,12) [8,20) [16,25)
    List<int[]> spans = WindowPlan.contextSpans(20, 3, 4, 5, 25);
    assertThat(spans).containsExactly(new int[] {0, 12}, new int[] {8, 20}, new int[] {16, 25});
  }

  @Test
  void lastWindowStopsAtTheFirstThatReachesTheEnd() {
    // room 12, step 8, 20 tokens: [0,12) [8,20) and no [16,20)
    assertThat(WindowPlan.contextSpans(20, 3, 4, 5, 20)).hasSize(2);
  }

  @Test
  void rejectsQuestionsThatLeaveNoRoomOrLessThanTheStride() {
    assertThat(WindowPlan.rejection(384, 3, 128, 381, 10)).contains("no room is left");
    assertThat(WindowPlan.rejection(384, 3, 128, 300, 500)).contains("doc_stride 128");
    // The same question is fine when the context fits one window: no stride is needed.
    assertThat(WindowPlan.rejection(384, 3, 128, 300, 81)).isNull();
    assertThat(WindowPlan.rejection(384, 3, 128, 300, 82)).isNotNull();
  }

  @Test
  void labelIsTheShortestTokenSpanCoveringTheAnswer() {
    int[] starts = {0, 4, 8, 13};
    int[] ends = {3, 7, 12, 17};
    assertThat(WindowPlan.label(starts, ends, 0, 4, 4, 12)).containsExactly(1, 2);
    // The answer starts inside token 1 ("abc" in "xabc"): that token still covers it.
    assertThat(WindowPlan.label(starts, ends, 0, 4, 5, 7)).containsExactly(1, 1);
    // Not wholly inside the window [1, 3): no label.
    assertThat(WindowPlan.label(starts, ends, 1, 3, 4, 17)).isNull();
    // In window [1, 4) indices are relative to the window.
    assertThat(WindowPlan.label(starts, ends, 1, 4, 13, 17)).containsExactly(2, 2);
  }

  @Test
  void tokensSharingOffsetsGiveAValidSpan() {
    // A Hangul syllable split into three jamo tokens, all at [25, 26).
    int[] starts = {20, 25, 25, 25, 26};
    int[] ends = {24, 26, 26, 26, 27};
    int[] label = WindowPlan.label(starts, ends, 0, 5, 25, 26);
    assertThat(label[0]).isLessThanOrEqualTo(label[1]);
    assertThat(starts[label[0]]).isLessThanOrEqualTo(25);
    assertThat(ends[label[1]]).isGreaterThanOrEqualTo(26);
  }
}
