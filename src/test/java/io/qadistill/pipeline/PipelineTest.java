package io.qadistill.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.common.Provenance;
import io.qadistill.eval.PredictJob;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.pipeline.PipelineConfig.Training;
import io.qadistill.squad.ReadResult;
import io.qadistill.teacher.TeacherLogitsJob;
import io.qadistill.testing.LocalSpark;
import io.qadistill.train.DistillJob;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain on the bundled data with a small budget (48 train and 40 dev questions, batches of 4): every
 * stage runs once, a second run reuses them all, and a training stage cut off before its end resumes.
 */
class PipelineTest {
  /** all-MiniLM-L6-v2 with a QA head, and the 3-layer student taken from it (as docs/benchmarks.md lists). */
  private static final String TEACHER_PARAMETERS = "22,566,146";
  private static final String STUDENT_PARAMETERS = "17,242,754";

  @TempDir Path work;

  @Test
  void runsEveryStageThenReusesThemAllAndResumesACutOffTraining() throws Exception {
    var spark = LocalSpark.get();
    PipelineConfig config = PipelineConfig.embedded(".", work.toString()).withSamples(48, 40)
        .withTraining(new Training(1, 4, 1e-4), new Training(1, 4, 2e-4), 0, 0.0);

    Pipeline.Result first = new Pipeline(config).run(spark);
    assertThat(first.stages()).containsOnlyKeys("read train", "sample train", "featurize train", "read dev",
        "sample dev", "featurize dev", "import all-MiniLM-L6-v2", "fine-tune teacher", "teacher logits",
        "distill student", "predict teacher", "predict student", "report");
    assertThat(((ReadResult) first.stages().get("read train")).kept()).isEqualTo(9_352);
    assertThat(((ReadResult) first.stages().get("read dev")).kept()).isEqualTo(2_145);
    assertThat(((ExampleSample.Result) first.stages().get("sample dev")).kept()).isEqualTo(40);
    FeaturizeJob.Result train = (FeaturizeJob.Result) first.stages().get("featurize train");
    assertThat(train.examples()).isEqualTo(48);
    assertThat(((FeaturizeJob.Result) first.stages().get("featurize dev")).examples()).isEqualTo(40);
    long steps = (train.windows() + 3) / 4;
    assertThat(((DistillJob.Result) first.stages().get("fine-tune teacher")).steps()).isEqualTo(steps);
    assertThat(((TeacherLogitsJob.Result) first.stages().get("teacher logits")).scored()).isEqualTo(train.windows());
    assertThat(((DistillJob.Result) first.stages().get("distill student")).steps()).isEqualTo(steps);
    assertThat(((PredictJob.Result) first.stages().get("predict student")).predictions()).isEqualTo(40);

    String html = Files.readString(Path.of(first.report()));
    assertThat(html).contains("Models: size and speed", TEACHER_PARAMETERS, STUDENT_PARAMETERS, "teacher vs student");
    for (var summary : new java.util.Map[] {first.teacher(), first.student()}) {
      assertThat(summary).containsOnlyKeys("exact_match", "f1");
      assertThat((Double) summary.get("f1")).isBetween((Double) summary.get("exact_match"), 100.0);
    }

    Pipeline.Result second = new Pipeline(config).run(spark);
    second.stages().forEach((stage, result) -> {
      if (stage.equals("teacher logits")) {
        assertThat(((TeacherLogitsJob.Result) result).scored()).as(stage).isZero();
      } else {
        assertThat(result).as(stage).isEqualTo("reused");
      }
    });
    assertThat(second.student()).isEqualTo(first.student());

    // A distillation cut off after its last checkpoint but before its final model: the rerun resumes there and
    // repeats no step; what depends on the student runs again, the rest is reused.
    Files.delete(work.resolve("student").resolve(Provenance.FILE_NAME));
    Pipeline.Result third = new Pipeline(config).run(spark);
    DistillJob.Result resumed = (DistillJob.Result) third.stages().get("distill student");
    assertThat(resumed.startStep()).isEqualTo(steps);
    assertThat(resumed.steps()).isEqualTo(steps);
    assertThat(third.stages().get("fine-tune teacher")).isEqualTo("reused");
    assertThat(third.stages().get("predict teacher")).isEqualTo("reused");
    assertThat(third.stages().get("predict student")).isInstanceOf(PredictJob.Result.class);
    assertThat(third.student()).isEqualTo(first.student());
  }
}
