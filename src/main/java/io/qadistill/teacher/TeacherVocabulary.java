package io.qadistill.teacher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vocabulary of the teacher whose logits a run wrote, kept beside them as {@code _vocabulary.json} (size and
 * fingerprint, {@link Vocabulary}), so that a student can be checked against it: a student reads the ids its
 * teacher's windows hold, and another vocabulary gives them other meanings.
 */
public final class TeacherVocabulary {
  static final String FILE = "_vocabulary.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(TeacherVocabulary.class);

  private TeacherVocabulary() {}

  /**
   * The vocabulary of the tokenizer.json of a teacher (a model directory, or beside a TorchScript file), or null
   * when there is none to read.
   */
  static Vocabulary of(String teacher) {
    Path path = teacher.startsWith("file:") ? Paths.get(java.net.URI.create(teacher)) : Paths.get(teacher);
    Path tokenizer = Files.isDirectory(path) ? path.resolve(ModelDirectory.TOKENIZER)
        : path.toAbsolutePath().resolveSibling(ModelDirectory.TOKENIZER);
    try {
      return Files.isRegularFile(tokenizer) ? Vocabulary.of(Files.readAllBytes(tokenizer), tokenizer.toString())
          : null;
    } catch (IOException e) {
      throw new UsageException("cannot read " + tokenizer + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code vocabulary} into a run's directory. */
  static void write(SparkSession spark, org.apache.hadoop.fs.Path dir, Vocabulary vocabulary) {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir, FILE);
    try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, true)) {
      JSON.writeValue(out, vocabulary);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Refuses a student whose vocabulary differs from that of the teacher whose logits lie under {@code logits}
   * ({@code teacher}: its fingerprint, or null for the only one there). Logits written without a vocabulary (by an
   * older version, or of a TorchScript teacher with no tokenizer.json beside it) cannot be checked: logged.
   */
  public static void requireSame(SparkSession spark, String logits, String teacher, byte[] studentTokenizer,
                                 String student) {
    Vocabulary theirs = read(spark, logits, teacher);
    if (theirs == null) {
      LOG.warn("{} records no teacher vocabulary: the student's cannot be checked against it", logits);
      return;
    }
    Vocabulary ours = Vocabulary.of(studentTokenizer, student);
    if (!ours.fingerprint().equals(theirs.fingerprint())) {
      throw new UsageException("the student's vocabulary (" + ours.size() + " tokens, fingerprint "
          + ours.fingerprint() + ", from " + student + ") differs from the teacher's whose logits are in " + logits
          + " (" + theirs.size() + " tokens, fingerprint " + theirs.fingerprint() + "): teacher and student must "
          + "share a tokenizer, the student reads the ids of the teacher's windows; start the student from the "
          + "teacher (--init TEACHER_DIR), from a model with the teacher's tokenizer.json, or at random with "
          + "--tokenizer TEACHER_DIR/tokenizer.json");
    }
  }

  private static Vocabulary read(SparkSession spark, String logits, String teacher) {
    org.apache.hadoop.fs.Path glob = new org.apache.hadoop.fs.Path(LogitsTable.runDir(logits,
        teacher == null ? "*" : teacher, 0).getParent(), LogitsTable.RUN + "=*/" + FILE);
    try {
      var fs = glob.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] found = fs.globStatus(glob);
      if (found == null || found.length == 0) {
        return null;
      }
      try (InputStream in = fs.open(found[0].getPath())) {
        return JSON.readValue(in, Vocabulary.class);
      }
    } catch (IOException e) {
      throw new UsageException("cannot read the teacher's vocabulary under " + logits + ": " + e.getMessage(), e);
    }
  }
}
