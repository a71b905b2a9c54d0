package io.qadistill.bench;

import ai.djl.Device;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.QaModel;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.teacher.TeacherLogitsConfig;
import io.qadistill.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The JVM's resident size while the imported all-MiniLM-L6-v2 scores dev-v1.1's windows in-process as the
 * teacher-logits job's executor does: two threads with one PyTorch thread each, taking parts of 500 rows in turn
 * (the job's rows per task), with the job's CPU batching. Prints the current and peak resident size and the heap
 * after each part, so a growth of native memory shows apart from the heap's. Compare allocators by running it
 * with {@code LD_PRELOAD=} (glibc) and without (jemalloc, see jobs/bench).
 *
 * <p>{@code jobs/bench TeacherMemoryBench [windows]} (default: all 10,784).
 */
public final class TeacherMemoryBench {
  private static final int THREADS = 2;

  public static void main(String[] args) throws Exception {
    SparkSession spark = LocalSpark.get();
    Path tmp = Files.createTempDirectory("teachermemorybench");
    Path teacher = TeacherBench.importTeacher(tmp);
    Dataset<Row> features = FeaturesTable.read(spark, TeacherBench.devFeatures(spark, tmp), FeaturesTable.INPUT_IDS,
        FeaturesTable.TOKEN_TYPE_IDS);
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    TeacherBench.collect(args.length > 0 ? features.limit(Integer.parseInt(args[0])) : features, ids, types);
    int rowsPerTask = TeacherLogitsConfig.DEFAULT_ROWS_PER_TASK;
    System.out.printf("%d windows, LD_PRELOAD=%s; before scoring: %s%n", ids.size(), System.getenv("LD_PRELOAD"),
        resident());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (QaModel model = ModelDirectory.load(teacher)) {
      QaScorer.Options batching =
          TeacherLogitsConfig.defaults("unused", "unused", "unused").batching(Device.cpu());
      AtomicInteger next = new AtomicInteger();
      long t0 = System.nanoTime();
      List<Future<?>> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        threads.add(pool.submit(() -> {
          Runtimes.setThreads(1);
          for (int from = next.getAndAdd(rowsPerTask); from < ids.size(); from = next.getAndAdd(rowsPerTask)) {
            int to = Math.min(ids.size(), from + rowsPerTask);
            model.score(ids.subList(from, to), types.subList(from, to), batching);
            System.out.printf("rows %5d-%5d: %s%n", from, to, resident());
          }
          return null;
        }));
      }
      for (Future<?> f : threads) {
        f.get();
      }
      System.out.printf("%.1f windows/s; after scoring: %s%n", ids.size() / ((System.nanoTime() - t0) / 1e9),
          resident());
    } finally {
      pool.shutdown();
    }
  }

  private static String resident() throws Exception {
    Runtime rt = Runtime.getRuntime();
    return TeacherBench.peakResident() + String.format(", heap committed %d MB", rt.totalMemory() >> 20);
  }
}
