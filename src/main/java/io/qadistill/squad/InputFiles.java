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
 * S3, ...): a file is taken as it is, whatever its name; a directory contributes the files of the format anywhere
 * below it, skipping hidden names (starting with {@code .} or {@code _}, as Spark does): for SQuAD JSON {@code .json}
 * (and compressed {@code .json.gz}, {@code .json.bz2}, ...), for JSON Lines {@code .jsonl}, {@code .ndjson} and
 * {@code .json} (what {@code datasets}' {@code to_json} and Spark's JSON writer name them), compressed or not, for
 * Parquet {@code .parquet}; a glob ({@code data/*.json}, {@code s3a://b/squad-{train,dev}*}) expands to the files
 * and directories it matches. Only names and sizes are listed here; no content reaches the driver.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * The files to read, fully qualified, without duplicates, sorted by path (their index): this order decides
   * which record of a duplicate id is kept.
   */
  static List<InputFile> list(List<String> inputs, InputFormat format, Configuration conf) {
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
              + ": give a " + what(format) + ", a directory of them or a glob");
        }
        for (FileStatus match : matches) {
          if (match.isDirectory()) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(match.getPath(), true);
            while (it.hasNext()) {
              LocatedFileStatus file = it.next();
              if (isOf(format, file.getPath()) && !hidden(file.getPath(), match.getPath())) {
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
        throw new UsageException("input " + input + " holds no " + what(format) + " (" + suffixes(format)
            + "): give a file, a directory of them or a glob" + (format == InputFormat.SQUAD_JSON
            ? ", or --format for Parquet or JSON Lines" : ""));
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

  /** True when a directory's file is of {@code format}, by its name. */
  private static boolean isOf(InputFormat format, Path path) {
    InputFormat named = InputFormat.of(path.getName());
    return switch (format) {
      case SQUAD_JSON -> named == InputFormat.SQUAD_JSON;
      case JSONL -> named == InputFormat.JSONL || named == InputFormat.SQUAD_JSON;
      case PARQUET -> named == InputFormat.PARQUET && !path.getName().matches(".*" + InputFormat.COMPRESSION);
      case TABLE -> throw new IllegalArgumentException("a table has no files to list");
    };
  }

  private static String what(InputFormat format) {
    return switch (format) {
      case SQUAD_JSON -> "SQuAD JSON file";
      case JSONL -> "JSON Lines file";
      case PARQUET, TABLE -> "Parquet file";
    };
  }

  private static String suffixes(InputFormat format) {
    return switch (format) {
      case SQUAD_JSON -> ".json, .json.gz, ...";
      case JSONL -> ".jsonl, .ndjson, .json, each optionally .gz, ...";
      case PARQUET, TABLE -> ".parquet";
    };
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
