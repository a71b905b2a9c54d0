package io.qadistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.features.FeaturesTable;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.StudentSpec;
import io.qadistill.testing.LocalSpark;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.Checkpoints;
import io.qadistill.train.DistillDefaults;
import io.qadistill.train.DistillLoss;
import io.qadistill.train.LossChart;
import io.qadistill.train.MetricsFile;
import io.qadistill.train.OptimizerSettings;
import io.qadistill.train.ParameterLayout;
import io.qadistill.train.StepStats;
import io.qadistill.train.TrainConfig;
import io.qadistill.train.TrainJob;
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
    TrainConfig c = parse(DistillCommand.class, "distill", "--features", "f", "--logits", "l", "--teacher", "abc",
        "--out", "o", "--init", "teacher-dir", "--layers", "3", "--layer-map", "0,2,4", "--temperature", "3",
        "--alpha-ce", "0.7", "--alpha-squad", "0.3", "--learning-rate", "1e-4", "--warmup-steps", "10",
        "--batch-size", "16", "--max-steps", "100", "--partitions", "2", "--seed", "7", "--checkpoint-every", "20",
        "--resume", "--log-every", "5", "--local-steps", "4", "--length-groups", "0");
    assertThat(c.logits()).isEqualTo("l");
    assertThat(c.teacher()).isEqualTo("abc");
    assertThat(c.loss()).isEqualTo(new DistillLoss(3, 0.7, 0.3));
    assertThat(c.student()).isEqualTo(new StudentSpec("teacher-dir", 3, 0, 0, 0, List.of(0, 2, 4), null, 7));
    assertThat(c.optimizer().learningRate()).isEqualTo(1e-4);
    assertThat(c.optimizer().warmupSteps()).isEqualTo(10);
    assertThat(c.batches().batchSize()).isEqualTo(16);
    assertThat(c.batches().maxSteps()).isEqualTo(100);
    assertThat(c.batches().partitions()).isEqualTo(2);
    assertThat(c.batches().localSteps()).isEqualTo(4);
    assertThat(c.batches().lengthGroups()).isZero();
    assertThat(parse(DistillCommand.class, "distill", "--features", "f", "--logits", "l", "--out", "o", "--init",
        "random").batches()).as("defaults").extracting(BatchSettings::lengthGroups, BatchSettings::localSteps)
        .containsExactly(BatchSettings.LENGTH_GROUPS, 1);
    assertThat(c.checkpoints().every()).isEqualTo(20);
    TrainConfig fractions = parse(FinetuneCommand.class, "finetune", "--features", "f", "--out", "o", "--init",
        "random", "--warmup-ratio", "0.1", "--checkpoint-every", "0.25", "--log-every", "0.05");
    assertThat(fractions.optimizer().warmupRatio()).isEqualTo(0.1);
    assertThat(fractions.checkpoints().every()).isEqualTo(0.25);
    assertThat(fractions.logEvery()).isEqualTo(0.05);
    assertThat(c.checkpoints().resume()).isTrue();
    assertThat(c.logEvery()).isEqualTo(5);
  }

  @Test
  void distillDefaultsToTheMeasuredRecipeAndFinetuneToRunSquads() {
    TrainConfig distill = parse(DistillCommand.class, "distill", "--features", "f", "--logits", "l", "--out", "o",
        "--init", "t");
    assertThat(distill.loss()).isEqualTo(new DistillLoss(2, 0.5, 0.5));
    assertThat(distill.optimizer()).extracting(OptimizerSettings::learningRate, OptimizerSettings::warmupRatio)
        .containsExactly(2e-4, 0.1);
    assertThat(distill.batches()).extracting(BatchSettings::batchSize, BatchSettings::epochs)
        .containsExactly(16, DistillDefaults.EPOCHS);
    assertThat(distill.batches().epochs()).isGreaterThan(1);
    TrainConfig finetune = parse(FinetuneCommand.class, "finetune", "--features", "f", "--out", "o", "--init", "t");
    assertThat(finetune.optimizer()).extracting(OptimizerSettings::learningRate, OptimizerSettings::warmupRatio)
        .containsExactly(5e-5, 0.0);
    assertThat(finetune.batches()).extracting(BatchSettings::batchSize, BatchSettings::epochs)
        .containsExactly(8, 3.0);
    assertThat(new CommandLine(new Main()).getSubcommands().get("distill").getUsageMessage())
        .contains("Peak learning rate (default: 2.0E-4)", "(default: 16)");
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
  void finetuneLearnsAndLeavesAModelDirectoryMetricsAndAChart() throws Exception {
    Path model = dir.resolve("start");
    try (QaModel m = QaModel.initialize(
        ModelConfig.bert(30522, 32, 1, 2, 64, 512, 2), tokenizer(), 1)) {
      ModelDirectory.save(m, model);
    }
    Path features = dir.resolve("features");
    writeFeatures(features);
    // 4 epochs of 3 steps over the 12 windows
    TrainConfig c = parse(FinetuneCommand.class, "finetune", "--features", features.toString(), "--out",
        dir.resolve("out").toString(), "--init", model.toString(), "--max-steps", "12", "--batch-size", "4",
        "--learning-rate", "1e-3", "--log-every", "0.25", "--checkpoint-every", "0.5");
    assertThat(c.loss()).isEqualTo(DistillLoss.FINE_TUNE);
    TrainJob.Result r = new TrainJob(c).run(LocalSpark.get());
    assertThat(r.steps()).isEqualTo(12);
    assertThat(r.partitions()).isEqualTo(1);
    Path out = dir.resolve("out");
    try (QaModel start = ModelDirectory.load(model); QaModel trained = ModelDirectory.load(out)) {
      assertThat(trained.config().numHiddenLayers()).isEqualTo(1);
      ParameterLayout layout = new ParameterLayout(start);
      float[] before = layout.read(start);
      float[] after = layout.read(trained);
      double moved = 0;
      for (int i = 0; i < before.length; i++) {
        moved = Math.max(moved, Math.abs(after[i] - before[i]));
      }
      assertThat(moved).as("max |trained − initial| parameter").isGreaterThan(1e-3);
    }
    List<StepStats> steps = MetricsFile.read(out.resolve(MetricsFile.NAME));
    assertThat(steps).hasSize(12).allSatisfy(s -> {
      assertThat(s.loss()).isFinite().isPositive();
      assertThat(s.lossCe()).isZero();
    });
    // the same 12 windows each epoch: the last epoch's mean loss is below the first's
    double first = steps.subList(0, 3).stream().mapToDouble(StepStats::loss).average().orElseThrow();
    double last = steps.subList(9, 12).stream().mapToDouble(StepStats::loss).average().orElseThrow();
    assertThat(last).as("mean loss of the last epoch, against the first's %s", first).isLessThan(0.9 * first);
    assertThat(Files.readString(out.resolve(LossChart.NAME))).startsWith("<svg").contains("polyline");
    assertThat(Checkpoints.list(out)).as("a checkpoint every 6 steps (half the run)").extracting(Path::getFileName)
        .map(Path::toString).containsExactly("checkpoint-6", "checkpoint-12");
    assertThat(out.resolve("_provenance.json")).exists();
  }

  private static TrainConfig parse(Class<? extends TrainCommand> type, String... args) {
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
