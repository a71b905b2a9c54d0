package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelDirectory;
import io.qadistill.testing.LocalSpark;
import io.qadistill.train.Batching;
import io.qadistill.train.DistillConfig;
import io.qadistill.train.DistillJob;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.LossChart;
import io.qadistill.train.MetricsFile;
import io.qadistill.model.StudentSpec;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * distill and finetune: registered, their options become the job's config, and that config runs (through the job,
 * on the shared session: the command itself would stop it).
 */
class TrainCommandTest {
  @TempDir Path dir;

  @Test
  void distillOptionsBecomeTheConfig() {
    DistillConfig c = parse(DistillCommand.class, "distill", "--features", "f", "--logits", "l", "--teacher", "abc",
        "--out", "o", "--init", "teacher-dir", "--layers", "3", "--layer-map", "0,2,4", "--temperature", "3",
        "--alpha-ce", "0.7", "--alpha-squad", "0.3", "--learning-rate", "1e-4", "--warmup-steps", "10",
        "--batch-size", "16", "--max-steps", "100", "--partitions", "2", "--seed", "7", "--checkpoint-every", "20",
        "--resume", "--log-every", "5", "--local-steps", "4", "--length-groups", "0");
    assertThat(c.logits()).isEqualTo("l");
    assertThat(c.teacher()).isEqualTo("abc");
    assertThat(c.loss()).isEqualTo(new DistillLoss(3, 0.7, 0.3));
    assertThat(c.student()).isEqualTo(new StudentSpec("teacher-dir", 3, 0, 0, 0, List.of(0, 2, 4), null, 7));
    assertThat(c.optimization().learningRate()).isEqualTo(1e-4);
    assertThat(c.optimization().warmupSteps()).isEqualTo(10);
    assertThat(c.batching().batchSize()).isEqualTo(16);
    assertThat(c.batching().maxSteps()).isEqualTo(100);
    assertThat(c.batching().partitions()).isEqualTo(2);
    assertThat(c.batching().localSteps()).isEqualTo(4);
    assertThat(c.batching().lengthGroups()).isZero();
    assertThat(parse(DistillCommand.class, "distill", "--features", "f", "--logits", "l", "--out", "o", "--init",
        "random").batching()).as("defaults").extracting(Batching::lengthGroups, Batching::localSteps)
        .containsExactly(Batching.LENGTH_GROUPS, 1);
    assertThat(c.checkpoints().every()).isEqualTo(20);
    assertThat(c.checkpoints().resume()).isTrue();
    assertThat(c.logEvery()).isEqualTo(5);
  }

  @Test
  void distillNeedsLogitsAndFinetuneTakesNone() {
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.execute("distill", "--features", "f", "--out", "o", "--init", "random")).isEqualTo(2);
      assertThat(Main.execute("finetune", "--features", "f", "--out", "o", "--init", "random", "--logits", "l"))
          .isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--logits=DIR'",
        "Unknown options: '--logits', 'l'");
  }

  @Test
  void finetuneRunsAndLeavesAModelDirectoryMetricsAndAChart() throws Exception {
    Path model = dir.resolve("start");
    try (QaModel m = QaModel.initialize(
        ModelConfig.bert(30522, 32, 1, 2, 64, 512, 2), tokenizer(), 1)) {
      ModelDirectory.save(m, model);
    }
    Path features = dir.resolve("features");
    writeFeatures(features);
    DistillConfig c = parse(FinetuneCommand.class, "finetune", "--features", features.toString(), "--out",
        dir.resolve("out").toString(), "--init", model.toString(), "--max-steps", "3", "--batch-size", "2",
        "--learning-rate", "1e-3", "--log-every", "1");
    assertThat(c.loss()).isEqualTo(DistillLoss.FINE_TUNE);
    DistillJob.Result r = DistillJob.run(LocalSpark.get(), c);
    assertThat(r.steps()).isEqualTo(3);
    assertThat(r.partitions()).isEqualTo(1);
    Path out = dir.resolve("out");
    try (QaModel trained = ModelDirectory.load(out)) {
      assertThat(trained.config().numHiddenLayers()).isEqualTo(1);
    }
    assertThat(MetricsFile.read(out.resolve(MetricsFile.NAME))).hasSize(3)
        .allSatisfy(s -> assertThat(s.lossCe()).isZero());
    assertThat(Files.readString(out.resolve(LossChart.NAME))).startsWith("<svg").contains("polyline");
    assertThat(out.resolve("checkpoint-3").resolve("trainer_state.json")).exists();
    assertThat(out.resolve("_provenance.json")).exists();
  }

  private static DistillConfig parse(Class<? extends TrainCommand> type, String... args) {
    CommandLine cli = new CommandLine(new Main());
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    TrainCommand command = (TrainCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(command).isInstanceOf(type);
    return command.config();
  }

  private static byte[] tokenizer() throws Exception {
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      return in.readAllBytes();
    }
  }

  /** A features table of 12 real-looking windows (ids from the bert-base-uncased vocabulary). */
  private static void writeFeatures(Path path) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int[] ids = {101, 2054, 2003, 1996, 3007, 1029, 102, 3000 + i, 2003, 1037, 2103, 1012, 102};
      int[] types = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
      int[] noOffsets = new int[ids.length];
      Arrays.fill(noOffsets, FeaturesTable.NO_OFFSET);
      rows.add(FeaturesTable.row("q" + i, 0, ids, types, noOffsets, noOffsets, 7, 7 + i % 4));
    }
    FeaturesTable.write(LocalSpark.get().createDataFrame(rows, FeaturesTable.SCHEMA), path.toString());
  }
}
