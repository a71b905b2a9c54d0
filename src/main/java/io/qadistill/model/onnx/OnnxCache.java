package io.qadistill.model.onnx;

import io.qadistill.common.UsageException;
import io.qadistill.model.OnnxGraph;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX graphs of a model directory, made once and kept in it: {@value OnnxExport#FP32_FILE} and
 * {@value OnnxExport#INT8_FILE}, each with its SHA-256 beside it ({@code model.onnx.sha256}, as {@code sha256sum}
 * writes it, so {@code sha256sum -c} checks it too). A graph records in its metadata the fingerprint of the weights
 * it was made from and the version of the graph's layout; a graph whose weights or layout changed since is made
 * again, one whose bytes no longer match their SHA-256 (a truncated copy, a disk error) is an error naming it.
 *
 * <p>The driver calls {@link #ensure} before a job; executors {@link #verify} the file against the digest the driver
 * saw before they open it, so they never score with a file that changed under them.
 */
public final class OnnxCache {
  /** A graph file and the SHA-256 of its bytes (hex). */
  public record Entry(Path file, String sha256) implements Serializable {}

  /** Metadata keys: the weights' fingerprint, the graph layout's version, the precision. */
  static final String SOURCE = "qadistill.source";
  static final String LAYOUT = "qadistill.graph";
  static final String PRECISION = "qadistill.precision";
  /** Raise when {@link QaGraph} emits a different graph for the same weights: cached graphs are then made again. */
  static final String LAYOUT_VERSION = "2";
  static final String DIGEST_SUFFIX = ".sha256";

  private static final Logger LOG = LoggerFactory.getLogger(OnnxCache.class);

  private OnnxCache() {}

  /** The file that holds {@code dir}'s graph of {@code precision}. */
  public static Path file(Path dir, QaGraph.Precision precision) {
    return dir.resolve(precision == QaGraph.Precision.INT8 ? OnnxExport.INT8_FILE : OnnxExport.FP32_FILE);
  }

  /**
   * The graph of {@code precision} for the model in {@code dir}, whose weights have the fingerprint {@code source}:
   * the cached file when it is current, else made from {@code weights} (called only then) and cached.
   */
  public static Entry ensure(Path dir, QaGraph.Precision precision, String source, Supplier<EncoderWeights> weights) {
    return current(dir, precision, source).orElseGet(() -> make(dir, precision, source, weights));
  }

  /**
   * The cached graph of {@code precision} in {@code dir} when it was made from weights of fingerprint
   * {@code source} by this graph layout; empty when there is none or it is out of date.
   */
  public static Optional<Entry> current(Path dir, QaGraph.Precision precision, String source) {
    Path file = file(dir, precision);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String sha256 = checked(file);
    Map<String, String> meta = metadata(file);
    if (source.equals(meta.get(SOURCE)) && LAYOUT_VERSION.equals(meta.get(LAYOUT))) {
      return Optional.of(new Entry(file, sha256));
    }
    LOG.info("{} was made from other weights or an older layout ({}={}, {}={}; now {}, {}): making it again", file,
        SOURCE, meta.get(SOURCE), LAYOUT, meta.get(LAYOUT), source, LAYOUT_VERSION);
    return Optional.empty();
  }

  /** Makes the graph of {@code precision} from {@code weights} into {@code dir}, with its SHA-256 beside it. */
  public static Entry make(Path dir, QaGraph.Precision precision, String source, Supplier<EncoderWeights> weights) {
    Path file = file(dir, precision);
    if (!Files.isWritable(dir)) {
      throw new UsageException("cannot write " + file + ": " + dir + " is not writable; the ONNX graphs are kept "
          + "beside the weights, so copy the model directory to a writable place, or score with --runtime pytorch");
    }
    long t0 = System.nanoTime();
    OnnxExport.write(weights.get(), precision, false, file, Map.of(SOURCE, source, LAYOUT, LAYOUT_VERSION,
        PRECISION, precision.name().toLowerCase()));
    String sha256 = sha256(file);
    writeDigest(file, sha256);
    LOG.info("{}: {} graph written in {} ms ({} MB)", file, precision, (System.nanoTime() - t0) / 1_000_000,
        size(file) / 1_000_000);
    return new Entry(file, sha256);
  }

  /** Checks that {@code entry}'s file still holds the bytes the driver saw; an error naming it otherwise. */
  public static void verify(Entry entry) {
    if (!Files.isRegularFile(entry.file())) {
      throw new UsageException(entry.file() + " is missing on this machine: the model directory must be at the same "
          + "path on every executor (a shared mount)");
    }
    String actual = sha256(entry.file());
    if (!actual.equals(entry.sha256())) {
      throw new UsageException(entry.file() + " changed or is corrupt: its SHA-256 is " + actual + ", the driver saw "
          + entry.sha256() + "; delete it (and " + entry.file().getFileName() + DIGEST_SUFFIX + ") and run again to "
          + "make it anew");
    }
  }

  /** The file's SHA-256 when it matches the one recorded beside it; an error naming the file otherwise. */
  private static String checked(Path file) {
    Path digest = digestFile(file);
    String fix = "; delete it (and " + digest.getFileName() + ") and it is made again from the model's weights";
    if (!Files.isRegularFile(digest)) {
      throw new UsageException(file + " has no " + digest.getFileName() + " beside it, so it cannot be checked" + fix);
    }
    String recorded;
    try {
      recorded = Files.readString(digest, StandardCharsets.UTF_8).strip().split("\\s+")[0];
    } catch (IOException e) {
      throw new UsageException("cannot read " + digest + fix, e);
    }
    String actual = sha256(file);
    if (!actual.equals(recorded)) {
      throw new UsageException(file + " is corrupt: its SHA-256 is " + actual + " but " + digest.getFileName()
          + " records " + recorded + fix);
    }
    return actual;
  }

  private static Map<String, String> metadata(Path file) {
    try {
      return OnnxGraph.metadata(file);
    } catch (IOException e) {
      throw new UsageException(file + " is corrupt (its metadata does not parse: " + e.getMessage() + "); delete it "
          + "and it is made again from the model's weights", e);
    }
  }

  private static Path digestFile(Path file) {
    return file.resolveSibling(file.getFileName() + DIGEST_SUFFIX);
  }

  private static void writeDigest(Path file, String sha256) {
    Path digest = digestFile(file);
    Path part = digest.resolveSibling(digest.getFileName() + "." + UUID.randomUUID() + ".part");
    try {
      Files.writeString(part, sha256 + "  " + file.getFileName() + "\n", StandardCharsets.UTF_8);
      Files.move(part, digest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + digest, e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }
}
