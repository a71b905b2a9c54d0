package io.qadistill.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * What the training step's broadcast of the parameters costs, alone: a float array the size of TrainBench's
 * 3-layer student (17,242,754 values, 69 MB) broadcast to one executor JVM (local-cluster, 2 cores) and read by a
 * task, again and again, under the settings one might hope to speed it up with: serializer, payload type, block
 * size, compression, and the array cut into pieces fetched by parallel threads. Per variant: the driver's time
 * creating the broadcast, the task's time in {@code value()} (and turning bytes back into floats), and the whole
 * job; means over 10 repetitions after 2 warm-ups.
 *
 * <p>{@code SPARK_HOME=$PWD/target/spark-home jobs/bench BroadcastBench [repetitions]}
 */
public final class BroadcastBench {
  private static final int VALUES = 17_242_754;
  private static final int WARMUP = 2;

  private record Variant(String name, Map<String, String> conf, boolean bytes, int pieces) {}

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String java = "org.apache.spark.serializer.JavaSerializer";
    String kryo = "org.apache.spark.serializer.KryoSerializer";
    List<Variant> variants = List.of(
        new Variant("float[], Java serializer, 4 MB blocks (TrainBench's settings)",
            Map.of("spark.serializer", java), false, 1),
        new Variant("byte[], Java serializer", Map.of("spark.serializer", java), true, 1),
        new Variant("float[], Kryo serializer", Map.of("spark.serializer", kryo), false, 1),
        new Variant("float[], 64 MB blocks", Map.of("spark.serializer", java, "spark.broadcast.blockSize", "64m"),
            false, 1),
        new Variant("float[], lz4 compression on (Spark's default)",
            Map.of("spark.serializer", java, "spark.broadcast.compress", "true"), false, 1),
        new Variant("float[], checksums off", Map.of("spark.serializer", java, "spark.broadcast.checksum", "false"),
            false, 1),
        new Variant("float[] in 8 broadcasts, read by 8 threads", Map.of("spark.serializer", java), false, 8));
    float[] params = new float[VALUES];
    Random random = new Random(42);
    for (int i = 0; i < VALUES; i++) {
      params[i] = (float) (random.nextGaussian() * 0.05);
    }
    StringBuilder table = new StringBuilder();
    for (Variant v : variants) {
      Map<String, String> conf = new HashMap<>(Map.of("spark.broadcast.compress", "false",
          "spark.kryoserializer.buffer.max", "1g"));
      conf.putAll(v.conf());
      SparkSession spark = LocalCluster.start("BroadcastBench", 1, 2, conf);
      try {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Integer> one = jsc.parallelize(List.of(0), 1).cache();
        one.count();
        double create = 0;
        double value = 0;
        double job = 0;
        for (int r = 0; r < WARMUP + reps; r++) {
          long t0 = System.nanoTime();
          List<Broadcast<Object>> pieces = new ArrayList<>();
          int per = (VALUES + v.pieces() - 1) / v.pieces();
          for (int p = 0; p < v.pieces(); p++) {
            float[] piece = v.pieces() == 1 ? params
                : Arrays.copyOfRange(params, p * per, Math.min(VALUES, (p + 1) * per));
            pieces.add(jsc.broadcast(v.bytes() ? bytes(piece) : piece));
          }
          long t1 = System.nanoTime();
          double read = one.map(x -> read(pieces)).collect().get(0);
          pieces.forEach(Broadcast::destroy);
          long t2 = System.nanoTime();
          if (r >= WARMUP) {
            create += (t1 - t0) / 1e9;
            value += read;
            job += (t2 - t1) / 1e9;
          }
        }
        String line = String.format("| %s | %.3f s | %.3f s | %.3f s | %.0f MB/s |", v.name(), create / reps,
            value / reps, job / reps, VALUES * 4e-6 / (value / reps));
        System.out.println(line);
        table.append(line).append('\n');
      } finally {
        spark.stop();
      }
    }
    System.out.println();
    System.out.println("| variant | driver creates | task reads (`value()`) | job | read rate |");
    System.out.println("|---|---|---|---|---|");
    System.out.print(table);
  }

  /** Seconds to read every piece into floats, the pieces by parallel threads when there are several. */
  private static double read(List<Broadcast<Object>> pieces) throws Exception {
    long t0 = System.nanoTime();
    ExecutorService threads = Executors.newFixedThreadPool(pieces.size());
    try {
      List<Future<float[]>> read = new ArrayList<>();
      for (Broadcast<Object> b : pieces) {
        read.add(threads.submit(() -> b.value() instanceof byte[] bytes ? floats(bytes) : (float[]) b.value()));
      }
      long values = 0;
      for (Future<float[]> f : read) {
        values += f.get().length;
      }
      if (values != VALUES) {
        throw new IllegalStateException(values + " values read, " + VALUES + " sent");
      }
    } finally {
      threads.shutdown();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static byte[] bytes(float[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(values);
    return out.array();
  }

  private static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
