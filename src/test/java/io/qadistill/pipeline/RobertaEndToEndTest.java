package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.UsageException;
import io.qadistill.eval.EvaluateJob;
import io.qadistill.eval.PredictJob;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.ModelConfig;
import io.qadistill.model.QaModel;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.model.StudentSpec;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.RobertaTokenizer;
import io.qadistill.testing.TestData;
import io.qadistill.train.BatchSettings;
import io.qadistill.train.TrainConfig;
import io.qadistill.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RoBERTa-family run end to end on the whole of dev-v1.1: read → featurize with a byte-level BPE tokenizer.json in
 * RoBERTa's layout (built here: none ships on Maven Central) → teacher-logits of a 4-layer RoBERTa teacher → distill
 * a 2-layer RoBERTa student from it → predict → evaluate. The teacher is random (this checks that every stage takes
 * the family, not what it learns): the window count, every window scored once, a student that refuses another
 * vocabulary, one prediction per question and the official summary's keys. Slow: minutes on 2 cores.
 */
@Tag("slow")
class RobertaEndToEndTest {
  /** dev-v1.1's windows with this tokenizer (bert-base-uncased's vocabulary gives 10,784). */
  private static final long WINDOWS = 14_321;

  @TempDir Path dir;

  @Test
  @Timeout(1800)
  void readFeaturizeTeacherLogitsDistillPredictEvaluate() throws Exception {
    SparkSession spark = LocalSpark.get();
    String examples = dir.resolve("examples").toString();
    var read = new ReadJob(ReadConfig.of(List.of(TestData.devV11().toString()), examples)).run(spark);
    assertThat(read.kept()).isEqualTo(10_570);

    Path teacher = dir.resolve("teacher");
    byte[] tokenizer = RobertaTokenizer.build(text(spark, examples), 2000);
    int vocab = io.qadistill.model.Vocabulary.of(tokenizer, "test").size();
    try (QaModel model = QaModel.initialize(
        new ModelConfig("roberta", vocab, 64, 4, 4, 128, "gelu", 0, 0, 514, 1, 1e-5, 0.5, 1), tokenizer, 7)) {
      model.save(teacher);
    }

    String features = dir.resolve("features").toString();
    FeaturizeJob.Result featurized = new FeaturizeJob(new FeaturizeConfig(examples, features,
        dir.resolve("features-quarantine").toString(), teacher.toString(), 384, 128)).run(spark);
    System.out.printf("dev-v1.1 with the test's RoBERTa tokenizer: %d windows%n", featurized.windows());
    assertThat(featurized.featurized()).isEqualTo(10_570);
    assertThat(featurized.windows()).isEqualTo(WINDOWS);
    Row first = spark.read().parquet(features).where("window = 0").first();
    List<Integer> ids = first.getList(first.fieldIndex("input_ids"));
    assertThat(ids.get(0)).as("<s>").isZero();
    assertThat(ids.get(ids.size() - 1)).as("</s>").isEqualTo(2);
    assertThat(first.<Integer>getList(first.fieldIndex("token_type_ids"))).containsOnly(0);

    String logits = dir.resolve("logits").toString();
    TeacherLogitsJob.Result scored = new TeacherLogitsJob(TeacherLogitsConfig.defaults(features,
        teacher.toString(), logits)).run(spark);
    assertThat(scored.scored()).isEqualTo(WINDOWS);
    assertThat(scored.quarantined()).isZero();

    BatchSettings few = new BatchSettings(4, 1, 6, 1, 3);
    String student = dir.resolve("student").toString();
    // a random student takes the bundled bert-base-uncased tokenizer: not the teacher's
    TrainConfig random = TrainConfig.defaults(features, logits, dir.resolve("random").toString(),
        StudentSpec.random(2, 64, 4, 128, 1)).withBatches(few);
    assertThatThrownBy(() -> new TrainJob(random).run(spark)).isInstanceOf(UsageException.class)
        .hasMessageContaining("the student's vocabulary (30522 tokens").hasMessageContaining("(" + vocab + " tokens")
        .hasMessageContaining("teacher and student must share a tokenizer");
    TrainJob.Result distilled = new TrainJob(TrainConfig.defaults(features, logits, student,
        StudentSpec.fromSource(teacher.toString(), 2, 1)).withBatches(few)).run(spark);
    assertThat(distilled.steps()).isEqualTo(6);
    assertThat(distilled.lastLoss()).isFinite();
    try (QaModel s = QaModel.load(Path.of(student))) {
      assertThat(s.config().modelType()).isEqualTo("roberta");
      assertThat(s.config().numHiddenLayers()).isEqualTo(2);
    }

    PredictJob.Result predicted = new PredictJob(PredictJob.Config.ofModel(examples, features, student,
        dir.resolve("predict").toString(), ScoringRuntime.DEFAULT, false)).run(spark);
    assertThat(predicted.predictions()).isEqualTo(10_570);
    EvaluateJob.Result evaluated = new EvaluateJob(EvaluateJob.Config.of(examples, predicted.table(),
        dir.resolve("evaluate").toString())).run(spark);
    JsonNode summary = new ObjectMapper().readTree(Path.of(evaluated.summaryJson()).toFile());
    System.out.printf("RoBERTa student (random teacher, 6 steps): %s%n", summary);
    assertThat(evaluated.examples()).isEqualTo(10_570);
    assertThat(summary.get("exact_match").asDouble()).isBetween(0.0, 100.0);
    assertThat(summary.get("f1").asDouble()).isBetween(0.0, 100.0);
    assertThat(Files.exists(Path.of(evaluated.report()))).isTrue();
  }

  /** The first 300 KB of the dev contexts and questions: enough text for 2,000 merges. */
  private static String text(SparkSession spark, String examples) {
    StringBuilder out = new StringBuilder();
    for (Row r : spark.read().parquet(examples).select("context", "question").limit(3000).collectAsList()) {
      if (out.length() > 300_000) {
        break;
      }
      out.append(r.getString(0)).append(' ').append(r.getString(1)).append('\n');
    }
    return out.toString();
  }
}
