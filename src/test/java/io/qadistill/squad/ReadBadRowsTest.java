package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad rows of each kind in a Parquet input and in JSON Lines inputs (a line that is not JSON, a gzip file cut short)
 * go to the quarantine with their reasons and the row as JSON, the others are kept, and the counts add up; a missing
 * column or a type that cannot hold an examples column fails before the job starts, naming the column.
 */
class ReadBadRowsTest {
  private static final SparkSession SPARK = LocalSpark.get();
  private static final String CONTEXT = "The Normans gave their name to Normandy, a region in France.";
  private static final long NORMANDY = CONTEXT.indexOf("Normandy");
  private static final long FRANCE = CONTEXT.indexOf("France");
  /** The datasets layout, with 64-bit answer_starts: a row can hold one that does not fit the examples table. */
  private static final StructType PARQUET = StructType.fromDDL("id string, title string, context string, "
      + "question string, answers struct<text: array<string>, answer_start: array<bigint>>, is_impossible boolean");

  @TempDir Path tmp;

  @Test
  void parquetRowsOfEachKindGoWhereTheyBelong() {
    Path dir = tmp.resolve("bad-parquet");
    write(dir.resolve("a"), List.of(
        row("p-good", CONTEXT, "Where?", texts("Normandy"), starts(NORMANDY), null),
        row("p-off-by-one", CONTEXT, "Where?", texts("France"), starts(FRANCE + 1), null),
        row("p-null-context", null, "Where?", texts("Normandy"), starts(NORMANDY), null),
        row(null, CONTEXT, "Where?", texts("Normandy"), starts(NORMANDY), null),
        row("p-empty-question", CONTEXT, "  ", texts("Normandy"), starts(NORMANDY), null),
        RowFactory.create("p-null-answers", "T", CONTEXT, "Where?", null, null),
        row("p-lengths-differ", CONTEXT, "Where?", texts("Normandy", "France"), starts(NORMANDY), null),
        row("p-null-text", CONTEXT, "Where?", texts((String) null), starts(NORMANDY), null),
        row("p-beyond-32-bits", CONTEXT, "Where?", texts("Normandy"), starts(5_000_000_000L), null),
        row("p-not-in-context", CONTEXT, "Where?", texts("Paris"), starts(0), null),
        row("p-impossible-with-answers", CONTEXT, "Where?", texts("Normandy"), starts(NORMANDY), true),
        row("p-possible-without-answers", CONTEXT, "Where?", texts(), starts(), false),
        row("p-impossible", CONTEXT, "Who?", texts(), starts(), true),
        row("p-impossible-derived", CONTEXT, "Who?", texts(), starts(), null),
        row("p-empty-context", "", "Where?", texts("Normandy"), starts(NORMANDY), null),
        row("p-good", CONTEXT, "Where again?", texts("Normandy"), starts(NORMANDY), null)));
    write(dir.resolve("b"), List.of(
        row("p-good", CONTEXT, "Where, in b?", texts("Normandy"), starts(NORMANDY), null),
        row("p-b-good", CONTEXT, "Where?", texts("France"), starts(FRANCE), null)));

    ReadResult result = read(new ReadInput(List.of(dir.toString()), InputFormat.PARQUET, null), null);

    assertThat(result.files()).isEqualTo(2);
    assertThat(keptIds(result)).containsExactlyInAnyOrder("p-good", "p-off-by-one", "p-impossible",
        "p-impossible-derived", "p-b-good");
    Map<String, Row> q = quarantineById(result);
    assertThat(reasons(q)).isEqualTo(Map.ofEntries(
        Map.entry("p-null-context", "missing_field"), Map.entry("(no id)", "missing_field"),
        Map.entry("p-empty-question", "empty_question"), Map.entry("p-null-answers", "missing_field"),
        Map.entry("p-lengths-differ", "missing_field"), Map.entry("p-null-text", "missing_field"),
        Map.entry("p-beyond-32-bits", "wrong_type"), Map.entry("p-not-in-context", "answer_not_in_context"),
        Map.entry("p-impossible-with-answers", "impossible_with_answers"),
        Map.entry("p-possible-without-answers", "missing_answers"), Map.entry("p-empty-context", "empty_context"),
        Map.entry("p-good#1", "duplicate_id"), Map.entry("p-good#2", "duplicate_id")));
    assertCountsAddUp(result, 5, 13);
    assertThat(result.impossible()).isEqualTo(2);
    assertThat(result.answerStartCorrections()).isEqualTo(1);

    assertThat(detail(q, "p-null-context")).isEqualTo("context is missing");
    assertThat(detail(q, "p-lengths-differ")).isEqualTo("answers.answer_start[1] is missing");
    assertThat(detail(q, "p-null-text")).isEqualTo("answers.text[0] is missing");
    assertThat(detail(q, "p-beyond-32-bits"))
        .isEqualTo("answers.answer_start[0] is a number, expected a 32-bit integer");
    Row beyond = q.get("p-beyond-32-bits");
    assertThat(beyond.<String>getAs("file")).contains("/bad-parquet/a/part-").endsWith(".parquet");
    assertThat(beyond.<String>getAs("location")).isEqualTo("row 8");
    assertThat(beyond.<String>getAs("raw")).isEqualTo("{\"id\":\"p-beyond-32-bits\",\"title\":\"T\","
        + "\"question\":\"Where?\",\"answers\":{\"text\":[\"Normandy\"],\"answer_start\":[5000000000]}}");
    // the first of a duplicated id in file order is kept: the one of file a, row 0
    assertThat(q.get("p-good#2").<String>getAs("file")).contains("/bad-parquet/b/");
    assertThat(detail(q, "p-good#1")).contains("/bad-parquet/a/part-").endsWith(" row 0");
    assertThat(startsOf(result, "p-off-by-one")).containsExactly((int) FRANCE);
  }

  @Test
  void jsonLinesOfEachKindGoWhereTheyBelongAndACutGzipKeepsWhatCameBefore() throws IOException {
    Path dir = tmp.resolve("bad-jsonl");
    Files.createDirectories(dir);
    String good = line("j-good", "\"Where?\"", answers("Normandy", NORMANDY));
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    for (String l : List.of(
        good,
        "{\"id\": \"j-cut\", \"context\": \"The Normans",
        "",
        "[1, 2]",
        line("j-start-string", "\"Where?\"", "{\"text\": [\"Normandy\"], \"answer_start\": [\"31\"]}"),
        "{\"id\": \"j-no-question\", \"context\": \"" + CONTEXT + "\", \"answers\": " + answers("Normandy", NORMANDY)
            + "}",
        line("j-squad-answers", "\"Where?\"", "[{\"text\": \"Normandy\", \"answer_start\": 31}]"),
        line("j-not-in-context", "\"Where?\"", answers("Paris", 0)),
        good,
        line("j-flag-string", "\"Where?\"", answers("Normandy", NORMANDY))
            .replace("}}", "}, \"is_impossible\": \"yes\"}"),
        line("j-title-number", "\"Where?\"", answers("Normandy", NORMANDY))
            .replace("\"title\": \"T\"", "\"title\": 5"))) {
      bad.write((l + "\n").getBytes(StandardCharsets.UTF_8));
    }
    bad.write("{\"id\": \"j-utf8\", \"question\": \"".getBytes(StandardCharsets.UTF_8));
    bad.write(new byte[] {(byte) 0xff, (byte) 0xfe});
    bad.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    for (String l : List.of(
        line("j-trailing", "\"Where?\"", answers("Normandy", NORMANDY)) + " x",
        line("j-impossible", "\"Who?\"", "{\"text\": [], \"answer_start\": []}"),
        line("j-null-question", "null", answers("Normandy", NORMANDY)))) {
      bad.write((l + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    Files.write(dir.resolve("bad.jsonl"), bad.toByteArray());

    // 300 good lines, gzip-compressed, cut at 60% of the compressed bytes
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      for (int i = 0; i < 300; i++) {
        out.write((line("j-gz-" + i, "\"Where is question " + i + "?\"", answers("Normandy", NORMANDY)) + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] cut = Arrays.copyOf(gz.toByteArray(), gz.size() * 6 / 10);
    Files.write(dir.resolve("cut.jsonl.gz"), cut);
    int linesBeforeTheCut = completeLines(cut); // counted by java.util.zip, not Hadoop's codec the job uses
    assertThat(linesBeforeTheCut).isBetween(1, 299);

    ReadResult result = read(new ReadInput(List.of(dir + "/*.jsonl*"), InputFormat.JSONL, null), null);

    assertThat(result.files()).isEqualTo(2);
    List<String> kept = keptIds(result);
    assertThat(kept).contains("j-good", "j-impossible").hasSize(2 + linesBeforeTheCut);
    Map<String, Row> q = quarantineById(result);
    Map<String, String> expected = new HashMap<>(Map.ofEntries(
        Map.entry("(no id)#1", "malformed_json"), Map.entry("(no id)#2", "wrong_type"),
        Map.entry("j-start-string", "wrong_type"), Map.entry("j-no-question", "missing_field"),
        Map.entry("j-squad-answers", "wrong_type"), Map.entry("j-not-in-context", "answer_not_in_context"),
        Map.entry("j-good", "duplicate_id"), Map.entry("j-flag-string", "wrong_type"),
        Map.entry("j-title-number", "wrong_type"), Map.entry("(no id)#3", "malformed_json"),
        Map.entry("(no id)#4", "malformed_json"), Map.entry("j-null-question", "missing_field"),
        Map.entry("(no id)#5", "corrupt_file")));
    assertThat(reasons(q)).isEqualTo(expected);
    assertCountsAddUp(result, 2 + linesBeforeTheCut, 13);
    assertThat(result.malformedFiles()).hasSize(2);

    assertThat(q.get("(no id)#1").<String>getAs("location")).isEqualTo("line 2");
    assertThat(q.get("(no id)#1").<String>getAs("raw")).isEqualTo("{\"id\": \"j-cut\", \"context\": \"The Normans");
    assertThat(detail(q, "(no id)#2")).isEqualTo("record is an array, expected an object");
    assertThat(detail(q, "j-start-string")).isEqualTo("answers.answer_start[0] is a string, expected a 32-bit integer");
    assertThat(detail(q, "j-squad-answers"))
        .isEqualTo("answers is an array, expected an object of text and answer_start lists");
    assertThat(q.get("j-good").<String>getAs("location")).isEqualTo("line 9");
    assertThat(detail(q, "j-good")).endsWith("/bad.jsonl line 1");
    assertThat(q.get("(no id)#3").<String>getAs("detail")).containsIgnoringCase("utf-8");
    assertThat(q.get("(no id)#4").<String>getAs("location")).isEqualTo("line 13");
    assertThat(q.get("j-null-question").<String>getAs("raw")).doesNotContain(CONTEXT).contains("\"question\":null");
    Row corrupt = q.get("(no id)#5");
    assertThat(corrupt.<String>getAs("file")).endsWith("/cut.jsonl.gz");
    assertThat(corrupt.<String>getAs("location")).isEqualTo("after line " + linesBeforeTheCut);
    assertThat(corrupt.<String>getAs("detail")).startsWith("the file cannot be decompressed after line ");
  }

  @Test
  void aCutGzipOfSquadJsonKeepsTheQuestionsBeforeTheCut() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      Files.copy(TestData.squadDir().resolve("dev-sample.json"), out);
    }
    Path file = tmp.resolve("dev-sample.json.gz");
    Files.write(file, Arrays.copyOf(gz.toByteArray(), gz.size() / 2));

    ReadResult result = read(ReadInput.of(List.of(file.toString())), InputFormat.SQUAD_JSON);

    assertThat(result.quarantinedByReason()).isEqualTo(Map.of("corrupt_file", 1L));
    assertThat(result.kept()).isBetween(100L, 2_145L - 100); // dev-sample has 2,145 questions
    assertThat(result.read()).isEqualTo(result.kept() + 1);
    assertThat(result.malformedFiles()).containsExactly(file.toUri().toString().replace("file:///", "file:/"));
  }

  @Test
  void integerIdsAreTakenAsTheirDecimalStringThroughAMapping() {
    Path dir = tmp.resolve("int-ids");
    SPARK.createDataFrame(List.of(RowFactory.create(42L, CONTEXT, "Where?",
                RowFactory.create(new String[] {"Normandy"}, new int[] {(int) NORMANDY}))),
            new StructType().add("qid", DataTypes.LongType).add("passage", DataTypes.StringType)
                .add("question", DataTypes.StringType).add("answers", ExamplesTable.SCHEMA.apply("answers").dataType()))
        .write().parquet(dir.toString());

    ReadResult result = read(new ReadInput(List.of(dir.toString()), InputFormat.PARQUET,
        new ColumnMapping(Map.of("id", "qid", "context", "passage"))), null);

    assertThat(keptIds(result)).containsExactly("42");
    Row example = SPARK.read().parquet(result.examples()).first();
    assertThat(example.<String>getAs("context")).isEqualTo(CONTEXT);
    assertThat(example.<String>getAs("title")).as("no title column").isNull();
  }

  @Test
  void aMissingColumnOrATypeThatCannotHoldItFailsBeforeTheJobNamingTheColumn() throws IOException {
    Path noContext = tmp.resolve("no-context.parquet");
    SPARK.createDataFrame(List.of(row("x", CONTEXT, "Q?", texts("Normandy"), starts(NORMANDY), null)), PARQUET)
        .drop("context").write().parquet(noContext.toString());
    Path textAnswers = tmp.resolve("text-answers.parquet");
    SPARK.createDataFrame(List.of(RowFactory.create("x", 7, "Q?", "Normandy")), new StructType()
            .add("id", DataTypes.StringType).add("context", DataTypes.IntegerType)
            .add("question", DataTypes.StringType).add("answers", DataTypes.StringType))
        .write().parquet(textAnswers.toString());
    Path jsonl = tmp.resolve("good.jsonl");
    Files.writeString(jsonl, line("j", "\"Q?\"", answers("Normandy", NORMANDY)) + "\n");

    assertFailsAtStart(ReadInput.of(List.of(noContext.toString())), "has no column context (it has [id, title, "
        + "question, answers, is_impossible]): name the column that holds context with --columns context=COLUMN");
    assertFailsAtStart(new ReadInput(List.of(noContext.toString()), null,
        new ColumnMapping(Map.of("context", "passage"))), "has no column passage (--columns context=passage)");
    assertFailsAtStart(ReadInput.of(List.of(textAnswers.toString())),
        "column context is int, expected string for context");
    assertFailsAtStart(new ReadInput(List.of(textAnswers.toString()), null,
            new ColumnMapping(Map.of("context", "question", "question", "id", "id", "context"))),
        "column answers is string, expected struct<text:array<string>,answer_start:array<int>> for answers");
    assertFailsAtStart(new ReadInput(List.of(jsonl.toString()), null, new ColumnMapping(Map.of("id", "qid"))),
        "none of its first 100 records has the key qid (--columns id=qid)");
    assertFailsAtStart(new ReadInput(List.of("no_such_db.squad"), InputFormat.TABLE, null),
        "cannot read the table no_such_db.squad of the session's catalog");
  }

  private void assertFailsAtStart(ReadInput input, String message) {
    Path out = tmp.resolve("never");
    assertThatThrownBy(() -> new ReadJob(ReadConfig.of(input, out.toString())).run(SPARK))
        .isInstanceOf(UsageException.class).hasMessageContaining(message);
    assertThat(out).doesNotExist();
  }

  private ReadResult read(ReadInput input, InputFormat expected) {
    if (expected != null) {
      assertThat(input.format()).isEqualTo(expected);
    }
    return new ReadJob(ReadConfig.of(input, tmp.resolve("out-" + System.nanoTime()).toString())).run(SPARK);
  }

  private static void assertCountsAddUp(ReadResult result, long kept, long quarantined) {
    assertThat(result.kept()).isEqualTo(kept);
    assertThat(result.quarantined()).isEqualTo(quarantined);
    assertThat(result.read()).isEqualTo(kept + quarantined);
    assertThat(result.quarantinedByReason().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(quarantined);
    assertThat(SPARK.read().parquet(result.examples()).count()).isEqualTo(kept);
    assertThat(SPARK.read().parquet(result.quarantine()).count()).isEqualTo(quarantined);
  }

  private static List<String> keptIds(ReadResult result) {
    return SPARK.read().parquet(result.examples()).select("id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  private static List<Integer> startsOf(ReadResult result, String id) {
    return SPARK.read().parquet(result.examples()).filter("id = '" + id + "'").first().<Row>getAs("answers")
        .getList(1);
  }

  /** Quarantine rows by id; a repeated id gets #1, #2, ... in file and location order, no id is "(no id)". */
  private static Map<String, Row> quarantineById(ReadResult result) {
    List<Row> rows = new ArrayList<>(SPARK.read().parquet(result.quarantine()).collectAsList());
    rows.sort((a, b) -> {
      int byFile = a.<String>getAs("file").compareTo(b.getAs("file"));
      return byFile != 0 ? byFile : Long.compare(ordinal(a), ordinal(b));
    });
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Row> byId = new HashMap<>();
    for (Row r : rows) {
      String id = r.<String>getAs("id") == null ? "(no id)" : r.getAs("id");
      int n = seen.merge(id, 1, Integer::sum);
      byId.put(n == 1 && rows.stream().filter(o -> id.equals(o.<String>getAs("id") == null ? "(no id)"
          : o.getAs("id"))).count() == 1 ? id : id + "#" + n, r);
    }
    return byId;
  }

  /** The number in "line 12", "row 3" or "after line 40". */
  private static long ordinal(Row r) {
    String location = r.getAs("location");
    return Long.parseLong(location.replaceAll("\\D+", ""));
  }

  private static Map<String, String> reasons(Map<String, Row> quarantine) {
    Map<String, String> reasons = new HashMap<>();
    quarantine.forEach((id, r) -> reasons.put(id, r.getAs("reason")));
    return reasons;
  }

  private static String detail(Map<String, Row> quarantine, String id) {
    return quarantine.get(id).getAs("detail");
  }

  private static void write(Path dir, List<Row> rows) {
    SPARK.createDataFrame(rows, PARQUET).coalesce(1).write().parquet(dir.toString());
  }

  private static Row row(String id, String context, String question, String[] texts, Long[] starts,
      Boolean impossible) {
    return RowFactory.create(id, "T", context, question, RowFactory.create(texts, starts), impossible);
  }

  private static String[] texts(String... texts) {
    return texts;
  }

  private static Long[] starts(long... starts) {
    return Arrays.stream(starts).boxed().toArray(Long[]::new);
  }

  private static String line(String id, String questionJson, String answersJson) {
    return "{\"id\": \"" + id + "\", \"title\": \"T\", \"context\": \"" + CONTEXT + "\", \"question\": "
        + questionJson + ", \"answers\": " + answersJson + "}";
  }

  private static String answers(String text, long start) {
    return "{\"text\": [\"" + text + "\"], \"answer_start\": [" + start + "]}";
  }

  /** How many whole lines java.util.zip decompresses from a gzip file cut short. */
  private static int completeLines(byte[] cut) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(cut))) {
      byte[] buffer = new byte[1];
      while (in.read(buffer) > 0) {
        out.write(buffer);
      }
    } catch (EOFException expected) {
      // the cut
    }
    return (int) out.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
  }
}
