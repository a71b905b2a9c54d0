package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InputFilesTest {
  private static List<InputFile> files(long... sizes) {
    return IntStream.range(0, sizes.length).mapToObj(i -> new InputFile(i, "f" + i, sizes[i])).toList();
  }

  @Test
  void manySmallFilesShareFewTasks() {
    List<List<InputFile>> groups = InputFiles.groups(files(new long[33]), 2, 100);
    assertThat(groups).hasSize(2);
    assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(33);
  }

  @Test
  void largeFilesGoToTheLightestTaskAndNoTaskIsEmpty() {
    List<List<InputFile>> groups = InputFiles.groups(files(10, 300, 50, 250, 40), 2, 1_000);
    assertThat(groups).extracting(g -> g.stream().map(InputFile::index).toList())
        .containsExactly(List.of(1, 4), List.of(0, 2, 3)); // 340 and 310 bytes, each group in file order
  }

  @Test
  void oneFilePerTaskAtMostAndMoreTasksForMoreBytes() {
    assertThat(InputFiles.groups(files(5_000), 8, 100)).hasSize(1);
    assertThat(InputFiles.groups(files(100, 100, 100, 100, 100, 100), 2, 150)).hasSize(4);
  }
}
