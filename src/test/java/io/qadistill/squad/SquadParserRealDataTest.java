package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming parser alone, without Spark, on the 87,599 questions of train-v1.1 (a second or two). */
class SquadParserRealDataTest {

  @Test
  void trainV11IsCleanWhenAnswerStartCountsCodePoints() throws IOException {
    List<SquadRecord> records = new ArrayList<>();
    long start = System.nanoTime();
    try (SquadParser parser = new SquadParser(Files.newInputStream(TestData.trainV11()))) {
      parser.forEachRemaining(records::add);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("parsed train-v1.1: %d records in %.2f s, %.0f records/s%n", records.size(), seconds,
        records.size() / seconds);

    assertThat(records).hasSize(87_599).allMatch(SquadRecord::isKept);
    assertThat(records.stream().mapToInt(SquadRecord::corrections).sum()).isZero();
    assertThat(records.get(0).location()).isEqualTo("data[0].paragraphs[0].qas[0]");
    assertThat(records.get(87_598).position()).isEqualTo(87_598);

    // Five contexts hold characters outside the BMP (checked with Python); eight answers come after them, and
    // would be 1 to 3 chars off, so corrected or quarantined, if answer_start were taken as a UTF-16 index.
    SquadRecord sumer = records.stream().filter(r -> r.id().equals("explorer-train11-80903")).findFirst().orElseThrow();
    assertThat(sumer.answerStarts()).containsExactly(255);
    ContextText context = new ContextText(sumer.context());
    assertThat(context.codePointLength()).isLessThan(sumer.context().length());
    assertThat(sumer.context().substring(context.charIndex(255))).startsWith("\"the black-headed people\"");
    assertThat(sumer.context().substring(255)).doesNotStartWith("\"the black-headed people\"");
  }
}
