package io.qadistill.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.MiniLmJar;
import io.qadistill.model.Vocabulary;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.RobertaTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A teacher's vocabulary kept beside its logits, and a student with another one refused. */
class TeacherVocabularyTest {
  @TempDir Path dir;

  @Test
  void aStudentWithAnotherVocabularyIsRefusedAndOneWithTheSameIsNot() throws IOException {
    SparkSession spark = LocalSpark.get();
    byte[] bert;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      bert = in.readAllBytes();
    }
    byte[] roberta = RobertaTokenizer.build("the quick brown fox jumps over the lazy dog, the end", 20);
    Path teacher = Files.createDirectories(dir.resolve("teacher"));
    Files.write(teacher.resolve("tokenizer.json"), roberta);
    Vocabulary vocabulary = TeacherVocabulary.of(teacher.toString());
    assertThat(vocabulary.size()).isEqualTo(Vocabulary.of(roberta, "r").size()).isLessThan(300);
    assertThat(vocabulary.padId()).isEqualTo(1);
    assertThat(Vocabulary.of(bert, "b").size()).isEqualTo(30522);
    assertThat(Vocabulary.of(bert, "b").padId()).isZero();

    String logits = dir.resolve("logits").toString();
    TeacherVocabulary.write(spark, LogitsTable.runDir(logits, "abc", 1), vocabulary);
    assertThatThrownBy(() -> TeacherVocabulary.requireSame(spark, logits, null, bert, "student-dir"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("the student's vocabulary (30522 tokens")
        .hasMessageContaining("from student-dir")
        .hasMessageContaining("(" + vocabulary.size() + " tokens")
        .hasMessageContaining("teacher and student must share a tokenizer");
    assertThatCode(() -> TeacherVocabulary.requireSame(spark, logits, "abc", roberta, "student-dir"))
        .doesNotThrowAnyException();
    // logits without a recorded vocabulary (an older table): nothing to check against
    assertThatCode(() -> TeacherVocabulary.requireSame(spark, dir.resolve("old").toString(), null, bert, "s"))
        .doesNotThrowAnyException();
  }
}
