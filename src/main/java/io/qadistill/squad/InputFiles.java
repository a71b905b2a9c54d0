package io.qadistill.squad;

import io.qadistill.common.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Turns the inputs a user names into the files to read, on the driver, through Hadoop's FileSystem (local, HDFS,
 * S3, ...): a file is taken as it is, whatever its name; a directory contributes the {@code .json} files (and
 * compressed {@code .json.gz}, {@code .json.bz2}, ...) anywhere below it, skipping hidden names (starting with
 * {@code .} or {@code _}, as Spark does); a glob ({@code data/*.json}, {@code s3a://b/squad-{train,dev}*}) expands
 * to the files and directories it matches. Only names and sizes are listed here; no content reaches the driver.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * The files to read, fully qualified, without duplicates, sorted by path (their index): this order decides
   * which record of a duplicate id is kept.
   */
  static List<InputFile> list(List<String> inputs, Configuration conf) {
    TreeMap<String, Long> files = new TreeMap<>();
    for (String input : inputs) {
      int found = 0;
      try {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw new UsageException("input " + input + " does not exist"
              + (input.matches(".*[*?\\[{].*") ? " (no path matches the pattern)" : "")
              + ": give a SQuAD JSON file, a directory of them or a glob");
        }
        for (FileStatus match : matches) {
          if (match.isDirectory()) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
            while (it.hasNext()) {
              LocatedFileStatus file = it.next();
              if (isJson(file.getPath()) && !hidden(file.getPath(), match.getPath())) {
                files.put(file.getPath().toString(), file.getLen());
                found++;
              }
            }
          } else {
            files.put(match.getPath().toString(), match.getLen());
            found++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list input " + input, e);
      }
      if (found == 0) {
        throw new UsageException("input " + input + " holds no .json file: give a SQuAD JSON file, a directory "
            + "of them or a glob");
      }
    }
    List<InputFile> list = new ArrayList<>();
    files.forEach((path, bytes) -> list.add(new InputFile(list.size(), path, bytes)));
    return list;
  }

  /**
   * Packs files into at most {@code files.size()} groups, one Spark task each: at least {@code minGroups} (the
   * cluster's parallelism) and about one per {@code targetBytes}, balanced by size (largest first into the
   * lightest group). So a thousand small files do not make a thousand tiny tasks, and large files spread out.
   */
  static List<List<InputFile>> groups(List<InputFile> files, int minGroups, long targetBytes) {
    long total = files.stream().mapToLong(InputFile::bytes).sum();
    int n = (int) Math.min(files.size(), Math.max(minGroups, (total + targetBytes - 1) / targetBytes));
    List<List<InputFile>> groups = new ArrayList<>();
    long[] sizes = new long[n];
    for (int i = 0; i < n; i++) {
      groups.add(new ArrayList<>());
    }
    List<InputFile> bySize = new ArrayList<>(files);
    bySize.sort(Comparator.comparingLong(InputFile::bytes).reversed().thenComparingInt(InputFile::index));
    for (InputFile file : bySize) {
      int lightest = 0;
      for (int i = 1; i < n; i++) {
        if (sizes[i] < sizes[lightest]) {
          lightest = i;
        }
      }
      groups.get(lightest).add(file);
      sizes[lightest] += file.bytes();
    }
    groups.forEach(g -> g.sort(Comparator.comparingInt(InputFile::index)));
    return groups;
  }

  private static boolean isJson(Path path) {
    String name = path.getName();
    return name.endsWith(".json") || name.matches(".*\\.json\\.(gz|bz2|deflate|zst|lz4|snappy)");
  }

  /** True when the file or a directory between it and {@code root} has a hidden name. */
  private static boolean hidden(Path file, Path root) {
    String rootPath = root.toUri().getPath();
    for (Path p = file; p != null && !p.toUri().getPath().equals(rootPath); p = p.getParent()) {
      if (p.getName().startsWith(".") || p.getName().startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
