package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.pipeline.PipelineConfig;
import io.qadistill.squad.ColumnMapping;
import io.qadistill.squad.InputFormat;
import io.qadistill.squad.ReadInput;
import io.qadistill.train.DistillDefaults;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** pipeline's --train and --dev take what read's --input takes: the settings its options give, before Spark starts. */
class PipelineCommandTest {
  private static PipelineConfig config(String... args) {
    PipelineCommand command = new PipelineCommand();
    new CommandLine(command).parseArgs(args);
    return command.config();
  }

  @Test
  void trainAndDevTakeEachFormatAndMapping() {
    PipelineConfig config = config("--train", "hub/train-00000-of-00001.parquet", "--dev", "qa.dev",
        "--dev-format", "table", "--dev-columns", "id=qid,context=passage");
    assertThat(config.train()).isEqualTo(new ReadInput(List.of("hub/train-00000-of-00001.parquet"),
        InputFormat.PARQUET, ColumnMapping.NONE));
    assertThat(config.dev()).isEqualTo(new ReadInput(List.of("qa.dev"), InputFormat.TABLE,
        new ColumnMapping(Map.of("id", "qid", "context", "passage"))));
    assertThat(config("--train", "export/train.jsonl.gz").train().format()).isEqualTo(InputFormat.JSONL);
  }

  @Test
  void theRuntimeIsAutoUnlessGiven() {
    assertThat(config().runtime()).isEqualTo(ScoringRuntime.AUTO);
    assertThat(config().int8()).isFalse();
    PipelineConfig given = config("--runtime", "onnx", "--int8");
    assertThat(given.runtime()).isEqualTo(ScoringRuntime.ONNX);
    assertThat(given.int8()).isTrue();
  }

  @Test
  void withoutTrainOrDevTheBundledSquadJsonSampleIsRead() {
    PipelineConfig config = config();
    assertThat(config.train().paths()).singleElement().asString().endsWith("data/squad/train-sample.json");
    assertThat(config.train().format()).isEqualTo(InputFormat.SQUAD_JSON);
    assertThat(config.dev().paths()).singleElement().asString().endsWith("data/squad/dev-sample.json");
    assertThatThrownBy(() -> config("--dev-format", "table")).isInstanceOf(UsageException.class)
        .hasMessageContaining("the bundled sample is SQuAD JSON");
  }

  @Test
  void theStudentIsDistilledAsDistillDoesByDefault() {
    PipelineConfig config = config();
    assertThat(config.studentTraining()).isEqualTo(
        new PipelineConfig.Training(DistillDefaults.EPOCHS, 16, 2e-4));
    assertThat(config.studentTraining()).isEqualTo(PipelineConfig.embedded(".", "w").studentTraining());
    assertThat(config.teacherTraining()).isEqualTo(PipelineConfig.TEACHER_TRAINING);
  }
}
