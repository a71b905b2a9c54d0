package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the model package knows architectures and engines: no main class outside it names a family's classes or
 * weight names, or an engine class of DJL's PyTorch (JniUtils, PtNDArray, Engine, blocks and parameters). DJL's
 * engine-neutral types may appear (Device for a task's GPU, NDArray in the loss formula), and so may the
 * tokenizer, which featurize uses. A new family then touches this package only.
 */
class ModelBoundaryTest {
  private static final Path MAIN = Path.of("src/main/java/io/qadistill");
  private static final Pattern FORBIDDEN = Pattern.compile(
      "import ai\\.djl\\.(pytorch|engine|nn|training)\\.|JniUtils|PtNDArray|\\bBertQa\\w*|\\w*Family\\b"
          + "|\"(bert|distilbert|roberta)\\.|encoder\\.layer|transformer\\.layer|qa_outputs|\\b30522\\b");

  @Test
  void noClassOutsideTheModelPackageNamesAnArchitectureOrAnEngine() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (file.startsWith(MAIN.resolve("model"))) {
          continue;
        }
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = FORBIDDEN.matcher(lines.get(i));
          if (m.find()) {
            found.add(MAIN.relativize(file) + ":" + (i + 1) + ": " + m.group());
          }
        }
      }
    }
    assertThat(found).as("architecture or engine names outside io.qadistill.model").isEmpty();
  }

  @Test
  void theCheckSeesWhatItLooksFor() {
    assertThat(FORBIDDEN.matcher("import ai.djl.pytorch.jni.JniUtils;").find()).isTrue();
    assertThat(FORBIDDEN.matcher("String p = \"bert.encoder.layer.\";").find()).isTrue();
    assertThat(FORBIDDEN.matcher("new DistilBertFamily()").find()).isTrue();
    assertThat(FORBIDDEN.matcher("import ai.djl.ndarray.NDArray;").find()).isFalse();
    assertThat(FORBIDDEN.matcher("QaScorer scorer = ModelCache.scorer(dir);").find()).isFalse();
  }
}
