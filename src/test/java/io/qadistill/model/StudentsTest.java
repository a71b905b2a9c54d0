package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudentsTest {
  @TempDir static Path dir;
  private static String teacher;

  @BeforeAll
  static void teacher() throws IOException {
    teacher = save(ModelConfig.bert(30522, 32, 4, 2, 64, 512, 2), "teacher").toString();
  }

  /** A random model of {@code config} saved under {@code name}, its weights wide (std 0.5) so that they differ. */
  static Path save(ModelConfig config, String name) throws IOException {
    byte[] tokenizer;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      tokenizer = in.readAllBytes();
    }
    try (QaModel model = QaModel.initialize(config.withDropout(0, 0).withInitializerRange(0.5), tokenizer, 11)) {
      model.save(dir.resolve(name));
    }
    return dir.resolve(name);
  }

  @Test
  void halfTheLayersDistilBertStyle() {
    try (QaModel t = ModelDirectory.load(Path.of(teacher));
         QaModel s = Students.build(StudentSpec.fromSource(teacher, 2, 1))) {
      assertThat(s.config().numHiddenLayers()).isEqualTo(2);
      assertThat(s.config().hiddenSize()).isEqualTo(32);
      assertThat(s.shapes()).hasSize(5 + 2 * 16 + 2);
      // every other layer: student 0 ← teacher 0, student 1 ← teacher 2
      String query = ".attention.self.query.weight";
      assertSame(s, "bert.encoder.layer.0" + query, t, "bert.encoder.layer.0" + query);
      assertSame(s, "bert.encoder.layer.1" + query, t, "bert.encoder.layer.2" + query);
      assertSame(s, "bert.encoder.layer.1.output.LayerNorm.bias", t, "bert.encoder.layer.2.output.LayerNorm.bias");
      assertThat(s.get("bert.encoder.layer.1.intermediate.dense.weight"))
          .isNotEqualTo(t.get("bert.encoder.layer.1.intermediate.dense.weight"));
      assertSame(s, "bert.embeddings.word_embeddings.weight", t, "bert.embeddings.word_embeddings.weight");
      assertSame(s, "qa_outputs.weight", t, "qa_outputs.weight");
      assertThat(s.tokenizerJson()).isEqualTo(t.tokenizerJson());
    }
  }

  @Test
  void chosenLayersAndDropout() {
    StudentSpec spec = new StudentSpec(teacher, 0, 0, 0, 0, List.of(3, 1), 0.25, 1);
    try (QaModel t = ModelDirectory.load(Path.of(teacher)); QaModel s = Students.build(spec)) {
      assertSame(s, "bert.encoder.layer.0.output.dense.weight", t, "bert.encoder.layer.3.output.dense.weight");
      assertSame(s, "bert.encoder.layer.1.output.dense.weight", t, "bert.encoder.layer.1.output.dense.weight");
      assertThat(s.config().hiddenDropoutProb()).isEqualTo(0.25);
      assertThat(s.config().attentionProbsDropoutProb()).isEqualTo(0.25);
    }
  }

  @Test
  void theWholeSourceWhenTheDepthIsTheSame() {
    try (QaModel t = ModelDirectory.load(Path.of(teacher));
         QaModel s = Students.build(StudentSpec.fromSource(teacher, 0, 1))) {
      assertThat(s.config()).isEqualTo(t.config());
      for (String name : t.shapes().keySet()) {
        assertSame(s, name, t, name);
      }
    }
  }

  @Test
  void randomFromTheSeed() {
    try (QaModel a = Students.build(StudentSpec.random(2, 16, 2, 24, 5));
         QaModel b = Students.build(StudentSpec.random(2, 16, 2, 24, 5));
         QaModel c = Students.build(StudentSpec.random(2, 16, 2, 24, 6))) {
      assertThat(a.config().numHiddenLayers()).isEqualTo(2);
      assertThat(a.config().intermediateSize()).isEqualTo(24);
      assertThat(a.config().vocabSize()).isEqualTo(30522);
      String name = "bert.encoder.layer.1.attention.self.key.weight";
      assertThat(a.get(name)).isEqualTo(b.get(name)).isNotEqualTo(c.get(name));
    }
  }

  @Test
  void distilBertFromBertAsThePaperEmbeddingsAndEveryOtherLayerWithoutTokenTypes() {
    try (QaModel t = ModelDirectory.load(Path.of(teacher));
         QaModel s = Students.build(StudentSpec.fromSource(teacher, 2, 1).withType("distilbert"))) {
      assertThat(s.config().modelType()).isEqualTo("distilbert");
      assertThat(s.config().numHiddenLayers()).isEqualTo(2);
      assertThat(s.config().typeVocabSize()).isZero();
      assertThat(s.shapes()).hasSize(4 + 2 * 16 + 2).noneSatisfy((name, shape) ->
          assertThat(name).contains("token_type"));
      assertSame(s, "distilbert.embeddings.word_embeddings.weight", t, "bert.embeddings.word_embeddings.weight");
      assertSame(s, "distilbert.embeddings.position_embeddings.weight", t,
          "bert.embeddings.position_embeddings.weight");
      assertSame(s, "distilbert.embeddings.LayerNorm.weight", t, "bert.embeddings.LayerNorm.weight");
      assertSame(s, "distilbert.transformer.layer.0.attention.q_lin.weight", t,
          "bert.encoder.layer.0.attention.self.query.weight");
      assertSame(s, "distilbert.transformer.layer.1.attention.out_lin.bias", t,
          "bert.encoder.layer.2.attention.output.dense.bias");
      assertSame(s, "distilbert.transformer.layer.1.sa_layer_norm.weight", t,
          "bert.encoder.layer.2.attention.output.LayerNorm.weight");
      assertSame(s, "distilbert.transformer.layer.1.ffn.lin1.weight", t, "bert.encoder.layer.2.intermediate.dense.weight");
      assertSame(s, "distilbert.transformer.layer.1.output_layer_norm.bias", t,
          "bert.encoder.layer.2.output.LayerNorm.bias");
      assertSame(s, "qa_outputs.weight", t, "qa_outputs.weight");
      assertThat(s.tokenizerJson()).isEqualTo(t.tokenizerJson());
    }
  }

  @Test
  void aRobertaTeacherSeedsRobertaStudentsOnly() throws IOException {
    String roberta = save(new ModelConfig("roberta", 30522, 32, 4, 2, 64, "gelu", 0, 0, 514, 1, 1e-5, 0.02, 1),
        "roberta").toString();
    try (QaModel t = ModelDirectory.load(Path.of(roberta));
         QaModel s = Students.build(StudentSpec.fromSource(roberta, 2, 1))) {
      assertThat(s.config().modelType()).isEqualTo("roberta");
      assertThat(s.config().maxLength()).isEqualTo(512);
      assertSame(s, "roberta.encoder.layer.1.attention.self.key.weight", t,
          "roberta.encoder.layer.2.attention.self.key.weight");
      assertSame(s, "roberta.embeddings.token_type_embeddings.weight", t,
          "roberta.embeddings.token_type_embeddings.weight");
    }
    assertThatThrownBy(() -> Students.build(StudentSpec.fromSource(roberta, 2, 1).withType("distilbert")))
        .isInstanceOf(UsageException.class).hasMessageContaining("a distilbert student cannot start from")
        .hasMessageContaining("a roberta model");
    assertThatThrownBy(() -> Students.build(StudentSpec.random(2, 16, 2, 24, 5).withType("roberta")))
        .isInstanceOf(UsageException.class).hasMessageContaining("a random roberta student needs its tokenizer.json");
  }

  @Test
  void evenlySpacedLayers() {
    assertThat(StudentSpec.evenlySpaced(3, 6)).containsExactly(0, 2, 4);
    assertThat(StudentSpec.evenlySpaced(6, 12)).containsExactly(0, 2, 4, 6, 8, 10);
    assertThat(StudentSpec.evenlySpaced(4, 6)).containsExactly(0, 1, 3, 4);
    assertThat(StudentSpec.evenlySpaced(6, 6)).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void impossibleStudentsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Students.build(new StudentSpec(teacher, 2, 64, 0, 0, null, null, 1)))
        .isInstanceOf(UsageException.class).hasMessageContaining("student hidden 64 differs")
        .hasMessageContaining("32");
    assertThatThrownBy(() -> Students.build(StudentSpec.fromSource(teacher, 5, 1)))
        .isInstanceOf(UsageException.class).hasMessageContaining("has 4");
    assertThatThrownBy(() -> Students.build(new StudentSpec(teacher, 0, 0, 0, 0, List.of(0, 4), null, 1)))
        .isInstanceOf(UsageException.class).hasMessageContaining("has only 4 layers");
    assertThatThrownBy(() -> new StudentSpec(teacher, 0, 0, 0, 0, List.of(1, 1), null, 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("distinct");
    assertThatThrownBy(() -> new StudentSpec(null, 2, 0, 0, 0, List.of(0, 1), null, 1))
        .isInstanceOf(UsageException.class).hasMessageContaining("needs a source model");
  }

  private static void assertSame(QaModel s, String studentName, QaModel t, String teacherName) {
    assertThat(s.get(studentName)).as(studentName + " = teacher's " + teacherName)
        .isEqualTo(t.get(teacherName));
  }
}
