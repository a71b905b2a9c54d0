package io.qadistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureCheckTest {
  private final FeatureCheck check = new FeatureCheck(100, 2, 8);

  private String reason(int[] ids, int[] types) {
    FeatureCheck.Problem p = check.problem(ids, types);
    return p == null ? null : p.reason();
  }

  @Test
  void aWellFormedRowPassesUpToTheLimits() {
    assertThat(check.problem(new int[] {0, 99, 5}, new int[] {0, 1, 1})).isNull();
    assertThat(check.problem(new int[8], new int[8])).isNull();
  }

  @Test
  void eachKindOfBadRowHasItsReason() {
    assertThat(reason(null, new int[1])).isEqualTo(FeatureCheck.NULL_ARRAY);
    assertThat(reason(new int[3], new int[2])).isEqualTo(FeatureCheck.LENGTH_MISMATCH);
    assertThat(reason(new int[0], new int[0])).isEqualTo(FeatureCheck.EMPTY);
    assertThat(reason(new int[9], new int[9])).isEqualTo(FeatureCheck.TOO_LONG);
    assertThat(reason(new int[] {1, 100}, new int[2])).isEqualTo(FeatureCheck.ID_OUT_OF_VOCABULARY);
    assertThat(reason(new int[] {-1, 1}, new int[2])).isEqualTo(FeatureCheck.ID_OUT_OF_VOCABULARY);
    assertThat(reason(new int[2], new int[] {0, 2})).isEqualTo(FeatureCheck.TYPE_ID_OUT_OF_RANGE);
  }

  @Test
  void theDetailNamesThePositionAndTheLimit() {
    assertThat(check.problem(new int[] {1, 2, 300}, new int[3]).detail())
        .isEqualTo("input_ids[2] = 300, the teacher's vocab_size is 100");
  }

  @Test
  void nullElementsMakeANullArray() {
    assertThat(FeatureCheck.ints(Arrays.asList(1, null))).isNull();
    assertThat(FeatureCheck.ints(null)).isNull();
    assertThat(FeatureCheck.ints(List.of(3, 4))).containsExactly(3, 4);
  }
}
