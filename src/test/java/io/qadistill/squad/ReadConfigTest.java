package io.qadistill.squad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadConfigTest {
  private static final ReadInput JSON = ReadInput.of(List.of("in.json"));

  @Test
  void quarantineDefaultsToASiblingOfTheExamples() {
    assertThat(ReadConfig.of(List.of("in.json"), "s3a://bucket/run/examples/").quarantine())
        .isEqualTo("s3a://bucket/run/examples-quarantine");
  }

  @Test
  void overlappingOutputsAreRefusedNamingBoth() {
    assertThatThrownBy(() -> new ReadConfig(JSON, "out/examples", "out/examples/quarantine"))
        .isInstanceOf(UsageException.class).hasMessageContaining("out/examples/quarantine")
        .hasMessageContaining("overlap");
    assertThatThrownBy(() -> new ReadConfig(JSON, "out/x", "out/x/"))
        .isInstanceOf(UsageException.class);
    assertThat(new ReadConfig(JSON, "out/x", "out/xy").quarantine()).isEqualTo("out/xy");
  }

  @Test
  void emptyValuesAreRefused() {
    assertThatThrownBy(() -> ReadConfig.of(List.of(), "out")).isInstanceOf(UsageException.class)
        .hasMessageContaining("at least one");
    assertThatThrownBy(() -> ReadConfig.of(List.of("a.json", " "), "out")).isInstanceOf(UsageException.class)
        .hasMessageContaining("[a.json,  ]");
    assertThatThrownBy(() -> ReadConfig.of(List.of("a.json"), "")).isInstanceOf(UsageException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "dev-v1.1.json, squad-json",
      "dev-v1.1.json.gz, squad-json",
      "hub/plain_text/validation-00000-of-00001.parquet, parquet",
      "s3a://b/squad/*.parquet, parquet",
      "export/squad.jsonl, jsonl",
      "export/squad.jsonl.gz, jsonl",
      "export/squad.NDJSON.bz2, jsonl",
      "a/directory, squad-json",
      "a/glob*, squad-json",
  })
  void theFormatIsInferredFromTheName(String path, String format) {
    assertThat(ReadInput.of(List.of(path)).format().option()).isEqualTo(format);
  }

  @Test
  void namesThatSayNothingFollowTheOthersAndDisagreeingNamesAreRefused() {
    assertThat(ReadInput.of(List.of("dir", "b.parquet")).format()).isEqualTo(InputFormat.PARQUET);
    assertThatThrownBy(() -> ReadInput.of(List.of("a.json", "b.parquet"))).isInstanceOf(UsageException.class)
        .hasMessageContaining("[a.json, b.parquet]").hasMessageContaining("squad-json, parquet");
    // an explicit format wins over the names
    assertThat(new ReadInput(List.of("a.json"), InputFormat.JSONL, null).format()).isEqualTo(InputFormat.JSONL);
  }

  @Test
  void formatNamesAreParsedAndABadOneListsTheGoodOnes() {
    assertThat(InputFormat.parse("table")).isEqualTo(InputFormat.TABLE);
    assertThatThrownBy(() -> InputFormat.parse("csv")).isInstanceOf(UsageException.class)
        .hasMessage("--format csv: give one of squad-json, parquet, jsonl, table");
  }

  @Test
  void aColumnMappingNamesExamplesColumnsOnly() {
    ColumnMapping mapping = new ColumnMapping(Map.of("id", "qid", "context", "passage"));
    assertThat(mapping.source("id")).isEqualTo("qid");
    assertThat(mapping.source("question")).isEqualTo("question");
    assertThat(mapping.describe("id")).isEqualTo("qid (--columns id=qid)");
    assertThatThrownBy(() -> new ColumnMapping(Map.of("qid", "id"))).isInstanceOf(UsageException.class)
        .hasMessageContaining("qid is not an examples column");
    assertThatThrownBy(() -> new ColumnMapping(Map.of("id", " "))).isInstanceOf(UsageException.class)
        .hasMessageContaining("--columns id=");
    assertThatThrownBy(() -> new ColumnMapping(Map.of("id", "x", "title", "x"))).isInstanceOf(UsageException.class)
        .hasMessageContaining("only one examples column");
  }

  @Test
  void squadJsonTakesNoMappingAndATableIsOne() {
    ColumnMapping mapping = new ColumnMapping(Map.of("id", "qid"));
    assertThatThrownBy(() -> new ReadInput(List.of("dev.json"), null, mapping)).isInstanceOf(UsageException.class)
        .hasMessageContaining("SQuAD JSON's keys are fixed");
    assertThat(new ReadInput(List.of("dev.jsonl"), null, mapping).columns()).isEqualTo(mapping);
    assertThatThrownBy(() -> new ReadInput(List.of("db.a", "db.b"), InputFormat.TABLE, null))
        .isInstanceOf(UsageException.class).hasMessageContaining("reads one table");
  }
}
