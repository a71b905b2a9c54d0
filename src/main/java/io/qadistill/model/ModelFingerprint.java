package io.qadistill.model;

import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code teacher} value of the logits table: the first 16 hex digits (64 bits) of the SHA-256 of a model
 * directory's {@code config.json} and {@code model.safetensors} (of a TorchScript teacher: its {@code .pt} file),
 * each preceded by its name and length. The same
 * weights and config give the same fingerprint wherever the directory lies; the tokenizer is left out (it does
 * not change the logits of given ids). Read through Hadoop's file system, so any path the cluster knows works;
 * it costs one sequential read of the weights on the driver.
 */
public final class ModelFingerprint {
  static final List<String> FILES = List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS);
  private static final String TORCHSCRIPT = "torchscript";
  private static final int HEX_DIGITS = 16;

  private ModelFingerprint() {}

  /**
   * A teacher named either way: its fingerprint as it is, a model directory or TorchScript file as its fingerprint
   * (so a pipeline can name the teacher it makes before it exists); null stays null.
   */
  public static String resolve(Configuration hadoop, String teacher) {
    return teacher == null || isFingerprint(teacher) ? teacher : of(hadoop, teacher);
  }

  /** Whether {@code teacher} names a teacher by its fingerprint rather than by its directory or file. */
  public static boolean isFingerprint(String teacher) {
    return teacher.matches("[0-9a-f]{" + HEX_DIGITS + "}");
  }

  public static String of(Configuration hadoop, String modelDir) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    Path teacher = new Path(modelDir);
    // a TorchScript file is hashed under one fixed name, so that renaming it keeps its fingerprint
    boolean torchScript = isFile(hadoop, teacher);
    for (String name : torchScript ? List.of(TORCHSCRIPT) : FILES) {
      Path file = torchScript ? teacher : new Path(modelDir, name);
      try {
        FileSystem fs = file.getFileSystem(hadoop);
        sha.update((name + "\0" + fs.getFileStatus(file).getLen() + "\0").getBytes(StandardCharsets.UTF_8));
        try (InputStream in = fs.open(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
          }
        }
      } catch (FileNotFoundException e) {
        throw new UsageException("teacher " + modelDir + " has no " + name + " (" + file + "): give a model "
            + "directory holding config.json, model.safetensors and tokenizer.json (e.g. from import-model), or a "
            + "TorchScript .pt file", e);
      } catch (IOException e) {
        throw new UsageException("cannot read " + file + " of teacher " + modelDir + ": " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(sha.digest()).substring(0, HEX_DIGITS);
  }

  /** Whether the teacher is one file (TorchScript) rather than a model directory. */
  private static boolean isFile(Configuration hadoop, Path teacher) {
    try {
      return teacher.getFileSystem(hadoop).getFileStatus(teacher).isFile();
    } catch (FileNotFoundException e) {
      return false; // reported below as a missing config.json
    } catch (IOException e) {
      throw new UsageException("cannot read teacher " + teacher + ": " + e.getMessage(), e);
    }
  }
}
