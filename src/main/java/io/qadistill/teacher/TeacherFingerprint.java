package io.qadistill.teacher;

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
 * directory's {@code config.json} and {@code model.safetensors}, each preceded by its name and length. The same
 * weights and config give the same fingerprint wherever the directory lies; the tokenizer is left out (it does
 * not change the logits of given ids). Read through Hadoop's file system, so any path the cluster knows works;
 * it costs one sequential read of the weights on the driver.
 */
public final class TeacherFingerprint {
  static final List<String> FILES = List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS);
  private static final int HEX_DIGITS = 16;

  private TeacherFingerprint() {}

  public static String of(Configuration hadoop, String modelDir) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    for (String name : FILES) {
      Path file = new Path(modelDir, name);
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
            + "directory holding config.json, model.safetensors and tokenizer.json (e.g. from import-model)", e);
      } catch (IOException e) {
        throw new UsageException("cannot read " + file + " of teacher " + modelDir + ": " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(sha.digest()).substring(0, HEX_DIGITS);
  }
}
