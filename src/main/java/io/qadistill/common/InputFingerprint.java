package io.qadistill.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * What an input held when a stage read it, in one short string: a stage's output is named by its provenance
 * (written last, and new with every run), anything else (SQuAD files, a model directory from a hub, a glob) by the
 * names, sizes and modification times of its files. Reading only metadata keeps it cheap for inputs of any size;
 * the pipeline reruns a stage when an input's fingerprint differs from the one in the stage's provenance.
 */
public final class InputFingerprint {
  /** The fingerprint of a path that holds nothing (yet). */
  public static final String ABSENT = "absent";

  private InputFingerprint() {}

  public static String of(String input, Configuration hadoop) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(hadoop);
      Path provenance = new Path(path, Provenance.FILE_NAME);
      if (!isGlob(input) && fs.isFile(provenance)) {
        try (InputStream in = fs.open(provenance)) {
          return "provenance:" + sha256(in.readAllBytes());
        }
      }
      List<String> lines = new ArrayList<>();
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        return ABSENT;
      }
      for (FileStatus match : matches) {
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(match.getPath(), true);
        while (files.hasNext()) {
          LocatedFileStatus f = files.next();
          lines.add(f.getPath() + "\t" + f.getLen() + "\t" + f.getModificationTime());
        }
      }
      lines.sort(Comparator.naturalOrder());
      return "files:" + sha256(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      return ABSENT; // not a readable path (the bundled model's "classpath"): nothing to compare
    }
  }

  private static boolean isGlob(String path) {
    return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
