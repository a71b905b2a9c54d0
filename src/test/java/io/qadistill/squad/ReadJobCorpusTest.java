package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.testing.LocalSpark;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bad-input corpus (src/test/resources/squad-bad, its README lists each case's outcome), read in one job
 * together with a generated file holding a 200,000-character context.
 */
class ReadJobCorpusTest {
  private static final SparkSession SPARK = LocalSpark.get();
  private static final int LONG_CONTEXT = 200_000;

  @TempDir static Path tmp;
  private static Path corpus;
  private static ReadResult result;
  private static Map<String, Row> examples;
  private static List<Row> quarantine;

  @BeforeAll
  static void readCorpus() throws IOException, URISyntaxException {
    corpus = Path.of(ReadJobCorpusTest.class.getResource("/squad-bad").toURI());
    String filler = "lorem ipsum ".repeat((LONG_CONTEXT - 9) / 12);
    String context = filler + "x".repeat(LONG_CONTEXT - filler.length() - "Normandy.".length()) + "Normandy.";
    Path longContext = tmp.resolve("long-context.json");
    Files.writeString(longContext, "{\"data\": [{\"title\": \"Long\", \"paragraphs\": [{\"context\": \"" + context
        + "\", \"qas\": [{\"id\": \"long-context\", \"question\": \"Where?\", \"answers\": [{\"text\": \"Normandy\", "
        + "\"answer_start\": " + (LONG_CONTEXT - 9) + "}]}]}]}]}");

    result = new ReadJob(ReadConfig.of(List.of(corpus.toString(), longContext.toString()),
        tmp.resolve("out/examples").toString())).run(SPARK);
    examples = new HashMap<>();
    for (Row row : SPARK.read().parquet(result.examples()).collectAsList()) {
      examples.put(row.getAs("id"), row);
    }
    quarantine = SPARK.read().parquet(result.quarantine()).collectAsList();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "answer-start-off-by-one.json      | off1-late off1-early       | -",
      "answer-start-off-by-two.json      | off2-late off2-early       | -",
      "answer-start-off-by-three.json    | -                          | answer_start_mismatch",
      "answer-not-in-context.json        | -                          | answer_not_in_context",
      "answer-empty-text.json            | -                          | empty_answer",
      "empty-context.json                | -                          | empty_context empty_context",
      "empty-question.json               | -                          | empty_question",
      "duplicate-id-within-file.json     | dup-within                 | duplicate_id",
      "duplicate-id-across-files-a.json  | dup-across                 | -",
      "duplicate-id-across-files-b.json  | -                          | duplicate_id",
      "missing-id.json                   | -                          | missing_field",
      "missing-question.json             | -                          | missing_field",
      "missing-answers.json              | -                          | missing_field",
      "missing-context.json              | -                          | missing_field",
      "wrong-type-answer-start.json      | -                          | wrong_type",
      "wrong-type-qas.json               | -                          | wrong_type",
      "wrong-type-is-impossible.json     | -                          | wrong_type",
      "v2-impossible.json                | v2-impossible v2-possible  | -",
      "v2-possible-without-answers.json  | -                          | missing_answers",
      "v1-without-answers.json           | -                          | missing_answers",
      "v2-impossible-with-answers.json   | -                          | impossible_with_answers",
      "title-after-paragraphs.json       | title-last                 | -",
      "malformed-truncated.json          | truncated-1 truncated-2    | malformed_json",
      "malformed-trailing-garbage.json   | trailing-1                 | malformed_json",
      "malformed-empty-file.json         | -                          | malformed_json",
      "root-is-array.json                | -                          | wrong_type",
      "invalid-utf8.json                 | utf8-good                  | malformed_json",
      "unicode-korean.json               | korean korean-river        | -",
      "unicode-chinese.json              | chinese chinese-wall       | -",
      "unicode-emoji.json                | emoji-city emoji-day       | -",
      "unicode-combining.json            | combining-owner combining-workshop | -",
      "question-1000-words.json          | long-question              | -",
  })
  void eachFileGivesItsDocumentedOutcomeAndItsCountsAddUp(String file, String keptIds, String reasons) {
    List<String> kept = words(keptIds);
    List<String> quarantined = words(reasons);
    assertThat(kept).as("kept from %s", file).allMatch(examples::containsKey);
    assertThat(quarantineOf(file).stream().map(r -> r.<String>getAs("reason")).sorted().toList())
        .as("quarantine rows of %s", file).isEqualTo(quarantined.stream().sorted().toList());
    // Counted independently of Spark: the records the parser yields for this file alone.
    assertThat(recordsIn(file)).as("records in %s", file).isEqualTo(kept.size() + quarantined.size());
  }

  @Test
  void totalsAddUpAndMatchTheCorpus() {
    assertThat(result.files()).isEqualTo(33);
    assertThat(result.read()).isEqualTo(result.kept() + result.quarantined());
    assertThat(result.quarantinedByReason().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(result.quarantined());
    assertThat(result.kept()).isEqualTo(23).isEqualTo(examples.size());
    assertThat(result.quarantined()).isEqualTo(23).isEqualTo(quarantine.size());
    assertThat(result.impossible()).isEqualTo(1);
    assertThat(result.quarantinedByReason()).isEqualTo(new TreeMap<>(Map.ofEntries(
        Map.entry("answer_not_in_context", 1L), Map.entry("answer_start_mismatch", 1L), Map.entry("empty_answer", 1L),
        Map.entry("empty_context", 2L), Map.entry("empty_question", 1L), Map.entry("duplicate_id", 2L),
        Map.entry("missing_field", 4L), Map.entry("wrong_type", 4L), Map.entry("missing_answers", 2L),
        Map.entry("impossible_with_answers", 1L), Map.entry("malformed_json", 4L))));
    assertThat(result.malformedFiles()).hasSize(4).allMatch(f -> f.contains("/squad-bad/malformed-")
        || f.endsWith("/squad-bad/invalid-utf8.json"));
  }

  @Test
  void answerStartsOffByOneOrTwoAreMovedOntoTheirText() {
    // France is at 104, Normandy at 82 and "10th and 11th centuries" at 39 in the context; the files say 105,
    // 81 (then 82), 106 and 37
    assertThat(starts("off1-late")).containsExactly(104);
    assertThat(starts("off1-early")).containsExactly(82, 82);
    assertThat(starts("off2-late")).containsExactly(104);
    assertThat(starts("off2-early")).containsExactly(39);
    assertThat(result.answerStartCorrections()).isEqualTo(4);
  }

  @Test
  void duplicatesKeepTheFirstInFileAndPositionOrderAndPointAtIt() {
    assertThat(examples.get("dup-within").<String>getAs("question")).isEqualTo("In what country is Normandy?");
    assertThat(examples.get("dup-across").<String>getAs("question")).isEqualTo("In what country is Normandy?");
    Row across = quarantineOf("duplicate-id-across-files-b.json").get(0);
    assertThat(across.<String>getAs("id")).isEqualTo("dup-across");
    assertThat(across.<String>getAs("detail"))
        .endsWith("duplicate-id-across-files-a.json data[0].paragraphs[0].qas[0]");
    assertThat(across.<String>getAs("raw")).contains("What region got its name from the Normans?");
  }

  @Test
  void quarantineRowsSayWhereAndWhy() {
    Row answerStart = quarantineOf("wrong-type-answer-start.json").get(0);
    assertThat(answerStart.<String>getAs("id")).isEqualTo("answer-start-string");
    assertThat(answerStart.<String>getAs("location")).isEqualTo("data[0].paragraphs[0].qas[0]");
    assertThat(answerStart.<String>getAs("detail")).isEqualTo("answers[0].answer_start is a string, expected a 32-bit integer");
    assertThat(answerStart.<String>getAs("raw")).contains("\"answer_start\":\"104\"");

    Row qas = quarantineOf("wrong-type-qas.json").get(0);
    assertThat(qas.<String>getAs("id")).isNull();
    assertThat(qas.<String>getAs("location")).isEqualTo("data[0].paragraphs[0]");
    assertThat(qas.<String>getAs("detail")).isEqualTo("qas is an object, expected an array");

    assertThat(quarantineOf("missing-id.json").get(0).<String>getAs("detail")).isEqualTo("id is missing");
    assertThat(quarantineOf("missing-context.json").get(0).<String>getAs("detail")).isEqualTo("paragraph has no context");
    assertThat(quarantineOf("answer-not-in-context.json").get(0).<String>getAs("detail"))
        .isEqualTo("answers[1] \"Belgium\" is not in the context");
  }

  @Test
  void malformedFilesGetOneRowWithTheParsersMessageAndLocation() {
    Row truncated = quarantineOf("malformed-truncated.json").get(0);
    assertThat(truncated.<String>getAs("id")).isNull();
    assertThat(truncated.<String>getAs("raw")).isNull();
    assertThat(truncated.<String>getAs("detail")).contains("Unexpected end-of-input").contains("line 1, column");
    Row utf8 = quarantineOf("invalid-utf8.json").get(0);
    assertThat(utf8.<String>getAs("detail")).containsIgnoringCase("Invalid UTF-8");
    assertThat(utf8.<String>getAs("location")).startsWith("line 1, column ");
  }

  @Test
  void v2ImpossibleQuestionsKeepEmptyAnswers() {
    Row impossible = examples.get("v2-impossible");
    assertThat(impossible.<Boolean>getAs("is_impossible")).isTrue();
    assertThat(impossible.<Row>getAs("answers").getList(0)).isEmpty();
    assertThat(examples.get("v2-possible").<Boolean>getAs("is_impossible")).isFalse();
    assertThat(examples.get("off1-late").<Boolean>getAs("is_impossible")).as("v1.1 has no is_impossible").isFalse();
  }

  @Test
  void titleMayComeAfterTheParagraphs() {
    assertThat(examples.get("title-last").<String>getAs("title")).isEqualTo("Normans late");
  }

  @Test
  void unicodeIsKeptAndAnswerStartCountsCodePoints() {
    Row emoji = examples.get("emoji-city");
    String context = emoji.getAs("context");
    int start = starts("emoji-city").get(0);
    assertThat(start).isEqualTo(40); // Python: context.index("Paris")
    assertThat(context.indexOf("Paris")).isEqualTo(44); // Java: one more char for each of the 4 emoji before it
    assertThat(context.substring(new ContextText(context).charIndex(start))).startsWith("Paris");
    assertThat(emoji.<String>getAs("title")).isEqualTo("Emoji 🎉");
    assertThat(examples.get("korean").<Row>getAs("answers").<String>getList(0)).containsExactly("서울");
    assertThat(examples.get("chinese-wall").<Row>getAs("answers").<String>getList(0)).containsExactly("长城");
    assertThat(starts("combining-workshop")).containsExactly(36); // "re\u0301sume\u0301": each accent counts
  }

  @Test
  void longContextsAndQuestionsAreKeptWhole() {
    assertThat(examples.get("long-context").<String>getAs("context")).hasSize(LONG_CONTEXT);
    assertThat(starts("long-context")).containsExactly(LONG_CONTEXT - 9);
    assertThat(examples.get("long-question").<String>getAs("question").split(" ")).hasSize(1_000);
  }

  @Test
  void aRerunReplacesTheOutputs() throws IOException {
    Path out = tmp.resolve("rerun/examples");
    ReadConfig first = ReadConfig.of(List.of(corpus.resolve("unicode-korean.json").toString()), out.toString());
    ReadConfig second = ReadConfig.of(List.of(corpus.resolve("unicode-chinese.json").toString()), out.toString());
    new ReadJob(first).run(SPARK);
    ReadResult rerun = new ReadJob(second).run(SPARK);
    List<String> ids = SPARK.read().parquet(rerun.examples()).select("id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
    assertThat(ids).containsExactlyInAnyOrder("chinese", "chinese-wall");
    try (var siblings = Files.list(out.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .as("no staging directory left behind").containsExactlyInAnyOrder("examples", "examples-quarantine");
    }
  }

  @Test
  void anInputThatIsNotThereIsAUsageErrorNamingIt() {
    String missing = tmp.resolve("no-such-file.json").toString();
    assertThatThrownBy(() -> new ReadJob(ReadConfig.of(List.of(missing), tmp.resolve("x").toString())).run(SPARK))
        .isInstanceOf(UsageException.class).hasMessageContaining(missing).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> new ReadJob(ReadConfig.of(List.of(tmp + "/*.nothing"), tmp.resolve("x").toString()))
        .run(SPARK)).isInstanceOf(UsageException.class).hasMessageContaining("no path matches the pattern");
  }

  private static List<String> words(String s) {
    return s == null ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }

  private static List<Row> quarantineOf(String file) {
    return quarantine.stream().filter(r -> r.<String>getAs("file").endsWith("/" + file)).toList();
  }

  private static List<Integer> starts(String id) {
    return examples.get(id).<Row>getAs("answers").getList(1);
  }

  private static int recordsIn(String file) {
    List<SquadRecord> records = new ArrayList<>();
    try (InputStream in = Files.newInputStream(corpus.resolve(file)); SquadParser parser = new SquadParser(in)) {
      parser.forEachRemaining(records::add);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return records.size();
  }
}
