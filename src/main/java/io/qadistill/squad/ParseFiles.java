package io.qadistill.squad;

import io.qadistill.common.ProgressLog;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The executor side of {@link ReadJob} for files (SQuAD JSON, JSON Lines): opens each file of the partition through
 * Hadoop's FileSystem (decompressing by file extension) and streams its records as {@link ParsedRows}, one file after
 * the other, never holding more than its parser ({@link SquadParser}, {@link JsonLinesParser}) does. Open files are
 * closed when the task ends, even when it fails.
 */
final class ParseFiles implements FlatMapFunction<Iterator<List<InputFile>>, Row> {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

  private final Broadcast<Map<String, String>> hadoopConf;
  private final LongAccumulator records;
  private final InputFormat format;
  private final ColumnMapping columns;

  ParseFiles(Broadcast<Map<String, String>> hadoopConf, LongAccumulator records, InputFormat format,
      ColumnMapping columns) {
    this.hadoopConf = hadoopConf;
    this.records = records;
    this.format = format;
    this.columns = columns;
  }

  @Override
  public Iterator<Row> call(Iterator<List<InputFile>> groups) {
    List<InputFile> list = new ArrayList<>(); // file names only: a handful per task
    groups.forEachRemaining(list::addAll);
    Iterator<InputFile> files = list.iterator();
    Configuration conf = new Configuration(false);
    hadoopConf.value().forEach(conf::set);
    return new Iterator<>() {
      private InputFile file;
      private RecordParser parser;
      private ProgressLog progress;

      {
        TaskContext task = TaskContext.get();
        if (task != null) {
          task.addTaskCompletionListener((TaskCompletionListener) context -> closeParser());
        }
      }

      @Override
      public boolean hasNext() {
        while (parser == null || !parser.hasNext()) {
          closeParser();
          if (!files.hasNext()) {
            return false;
          }
          file = files.next();
          Path path = new Path(file.path());
          CountingStream in = open(path, conf);
          InputStream data = decompress(path, in, conf);
          parser = format == InputFormat.JSONL ? new JsonLinesParser(data, columns) : new SquadParser(data);
          // In the executor's log: a driver-side accumulator only moves when a whole task ends.
          progress = ProgressLog.start("read " + file.path(), "bytes", file.bytes(), in::count, PROGRESS_EVERY);
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        records.add(1);
        return ParsedRows.of(file.index(), file.path(), parser.next());
      }

      private void closeParser() {
        if (progress != null) {
          progress.close();
          progress = null;
        }
        if (parser != null) {
          parser.close();
          parser = null;
        }
      }
    };
  }

  static CountingStream open(Path path, Configuration conf) {
    try {
      return new CountingStream(path.getFileSystem(conf).open(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path, e);
    }
  }

  /**
   * The stream itself, or decompressed when the name says so (.gz, .bz2, ...: Hadoop's codecs). A decompressor's
   * error while the file itself reads fine is the data's fault: it comes as a {@link CorruptFileException}.
   */
  static InputStream decompress(Path path, CountingStream in, Configuration conf) {
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    if (codec == null) {
      return in;
    }
    try {
      return new DecompressedStream(codec.createInputStream(in), in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decompress " + path, e);
    }
  }

  /** Counts the file's bytes as they are read (before decompression), for progress against the file's size. */
  static final class CountingStream extends FilterInputStream {
    private volatile long count; // written by the task's thread only, read by the progress logger's
    private boolean failed;

    CountingStream(InputStream in) {
      super(in);
    }

    long count() {
      return count;
    }

    @Override
    public int read() throws IOException {
      try {
        int b = super.read();
        if (b >= 0) {
          count++;
        }
        return b;
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          count += n;
        }
        return n;
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }

  /** A decompressor's stream whose errors, when the file below read fine, are {@link CorruptFileException}s. */
  private static final class DecompressedStream extends FilterInputStream {
    private final CountingStream file;

    DecompressedStream(InputStream decompressed, CountingStream file) {
      super(decompressed);
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw file.failed ? e : new CorruptFileException(e);
      }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        return super.read(buffer, offset, length);
      } catch (IOException e) {
        throw file.failed ? e : new CorruptFileException(e);
      }
    }
  }

}
