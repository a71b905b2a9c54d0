package io.qadistill.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartitionBatchesTest {
  @Test
  void everyEpochTakesEveryRowOnceInAFreshOrder() {
    PartitionBatches plan = new PartitionBatches(10, 2, 42, 0);
    List<Integer> taken = new ArrayList<>();
    for (long s = 0; s < 15; s++) { // 30 rows: three epochs
      for (int i : plan.rows(s)) {
        taken.add(i);
      }
    }
    List<List<Integer>> epochs = List.of(taken.subList(0, 10), taken.subList(10, 20), taken.subList(20, 30));
    for (List<Integer> epoch : epochs) {
      assertThat(epoch).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
    }
    assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
    assertThat(epochs.get(1)).isNotEqualTo(epochs.get(2));
    assertThat(epochs.get(0)).isNotEqualTo(IntStream.range(0, 10).boxed().toList());
  }

  @Test
  void aStepsRowsDependOnTheStepAloneAndMayStraddleEpochs() {
    PartitionBatches walked = new PartitionBatches(10, 3, 42, 1);
    int[][] inOrder = new int[8][];
    for (int s = 0; s < 8; s++) {
      inOrder[s] = walked.rows(s);
    }
    for (int s = 7; s >= 0; s--) { // a fresh plan, asked backwards (as after a resume): the same rows
      assertThat(new PartitionBatches(10, 3, 42, 1).rows(s)).isEqualTo(inOrder[s]);
    }
    // step 3 takes positions 9, 10, 11: the last row of epoch 0 and the first two of epoch 1
    PartitionBatches byTwo = new PartitionBatches(10, 1, 42, 1);
    assertThat(inOrder[3]).containsExactly(byTwo.rows(9)[0], byTwo.rows(10)[0], byTwo.rows(11)[0]);
    assertThat(walked.epochs(10)).isEqualTo(3.0);
  }

  @Test
  void seedAndPartitionGiveOtherOrders() {
    int[] a = new PartitionBatches(50, 50, 1, 0).rows(0);
    assertThat(new PartitionBatches(50, 50, 1, 0).rows(0)).isEqualTo(a);
    assertThat(new PartitionBatches(50, 50, 2, 0).rows(0)).isNotEqualTo(a);
    assertThat(new PartitionBatches(50, 50, 1, 1).rows(0)).isNotEqualTo(a);
  }

  @Test
  void lengthGroupedBatchesTakeEveryRowOncePerEpochAndPadFarLess() {
    int rows = 203; // not a multiple of the batch: batches straddle epochs and the mega-batches move with them
    int batch = 4;
    int[] lengths = new SplittableRandom(5).ints(rows, 20, 385).toArray();
    PartitionBatches grouped = new PartitionBatches(lengths, batch, 42, 0, 5);
    PartitionBatches random = new PartitionBatches(lengths, batch, 42, 0, 0);
    long steps = 3L * rows / batch; // three epochs, rounded down
    List<Integer> taken = new ArrayList<>();
    long groupedPadded = 0;
    long randomPadded = 0;
    for (long s = 0; s < steps; s++) {
      int[] rowsOfStep = grouped.rows(s);
      assertThat(new PartitionBatches(lengths, batch, 42, 0, 5).rows(s)).as("step %d alone", s).isEqualTo(rowsOfStep);
      for (int i : rowsOfStep) {
        taken.add(i);
      }
      groupedPadded += padded(lengths, rowsOfStep);
      randomPadded += padded(lengths, random.rows(s));
    }
    for (int e = 0; e < 2; e++) {
      assertThat(taken.subList(e * rows, (e + 1) * rows))
          .containsExactlyInAnyOrderElementsOf(IntStream.range(0, rows).boxed().toList());
    }
    // random batches of 4 pad to about 0.8 of the longest length, sorted mega-batches of 20 to little more than
    // the mean
    assertThat((double) groupedPadded / randomPadded).isLessThan(0.75);
    assertThat(taken.subList(0, rows)).as("a mega-batch's batches are shuffled, not longest first")
        .isNotEqualTo(taken.subList(0, rows).stream().sorted((a, b) -> lengths[b] - lengths[a]).toList());
    assertThat(new PartitionBatches(lengths, batch, 43, 0, 5).rows(0)).isNotEqualTo(grouped.rows(0));
  }

  private static long padded(int[] lengths, int[] rows) {
    return (long) rows.length * Arrays.stream(rows).map(i -> lengths[i]).max().orElseThrow();
  }
}
