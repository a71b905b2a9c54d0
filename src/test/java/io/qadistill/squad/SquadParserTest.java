package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structures the corpus files do not cover, on in-memory documents ('quotes' stand for "). */
class SquadParserTest {
  private static final String QA = "{'id': '%s', 'question': 'Q?', 'answers': [{'text': 'b', 'answer_start': 2}]}";

  private static List<SquadRecord> parse(String json) {
    List<SquadRecord> records = new ArrayList<>();
    try (SquadParser parser = new SquadParser(
        new ByteArrayInputStream(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)))) {
      parser.forEachRemaining(records::add);
    }
    return records;
  }

  private static String qa(String id) {
    return String.format(QA, id);
  }

  @Test
  void positionsAndLocationsFollowTheFile() {
    List<SquadRecord> records = parse("{'version': '1.1', 'data': [{'title': 'A', 'paragraphs': [{'context': 'a b', "
        + "'qas': [" + qa("1") + ", " + qa("2") + "]}]}, {'title': 'B', 'extra': {'x': [1]}, 'paragraphs': [{'qas': [], "
        + "'context': 'a b'}, {'context': 'a b', 'qas': [" + qa("3") + "]}]}]}");
    assertThat(records).extracting(SquadRecord::id).containsExactly("1", "2", "3");
    assertThat(records).extracting(SquadRecord::position).containsExactly(0L, 1L, 2L);
    assertThat(records).extracting(SquadRecord::location).containsExactly("data[0].paragraphs[0].qas[0]",
        "data[0].paragraphs[0].qas[1]", "data[1].paragraphs[1].qas[0]");
    assertThat(records).extracting(SquadRecord::title).containsExactly("A", "A", "B");
  }

  @Test
  void structuresThatHoldNoQuestionsAreOneRecordEach() {
    List<SquadRecord> records = parse("{'data': ['not an article', {'title': 'T'}, {'title': 'T', 'paragraphs': 7}, "
        + "{'title': 'T', 'paragraphs': [[], {'context': 'a b'}]}]}");
    assertThat(records).extracting(r -> r.reason() + " " + r.location() + ": " + r.detail()).containsExactly(
        "WRONG_TYPE data[0]: article is a string, expected an object",
        "MISSING_FIELD data[1]: article has no paragraphs",
        "WRONG_TYPE data[2].paragraphs: paragraphs is a number, expected an array",
        "WRONG_TYPE data[3].paragraphs[0]: paragraph is an array, expected an object",
        "MISSING_FIELD data[3].paragraphs[1]: paragraph has no qas");
  }

  @Test
  void aDocumentWithoutADataArrayIsOneRecord() {
    assertThat(parse("{'version': '2.0'}")).extracting(SquadRecord::reason).containsExactly(Reason.MISSING_FIELD);
    assertThat(parse("{'data': {'title': 'x'}}")).extracting(SquadRecord::detail)
        .containsExactly("data is an object, expected an array");
  }

  @Test
  void aTitleThatIsNotAStringQuarantinesItsArticlesQuestions() {
    List<SquadRecord> records = parse("{'data': [{'paragraphs': [{'context': 'a b', 'qas': [" + qa("1") + "]}], "
        + "'title': 5}, {'title': null, 'paragraphs': [{'context': 'a b', 'qas': [" + qa("2") + "]}]}]}");
    assertThat(records.get(0).reason()).isEqualTo(Reason.WRONG_TYPE);
    assertThat(records.get(0).detail()).isEqualTo("title is a number, expected a string");
    assertThat(records.get(1).isKept()).isTrue();
    assertThat(records.get(1).title()).isNull();
  }

  @Test
  void anErrorAfterParagraphsThatAwaitTheirTitleStillYieldsThem() {
    List<SquadRecord> records = parse("{'data': [{'paragraphs': [{'context': 'a b', 'qas': [" + qa("1") + "]}], 'ti");
    assertThat(records).extracting(SquadRecord::reason).containsExactly(null, Reason.MALFORMED_JSON);
    assertThat(records.get(0).title()).isNull();
  }
}
