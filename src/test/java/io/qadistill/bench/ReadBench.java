package io.qadistill.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qadistill.squad.InputFormat;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadInput;
import io.qadistill.squad.ReadJob;
import io.qadistill.squad.ReadResult;
import io.qadistill.testing.SquadJson;
import io.qadistill.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * read at scale: SQuAD v1.1 train replicated under new ids ({@code <id>-r<k>}, one file per replica; 115 replicas
 * are 10,073,885 questions) as Parquet, as gzip-compressed JSON Lines (both in Hugging Face datasets' layout) and as
 * SQuAD JSON, each read by the read job in local[2]; prints questions/s, wall time and the load average. Run with a
 * 2 GB heap to show that memory does not grow with the data: {@code QADISTILL_JAVA_OPTS=-Xmx2g jobs/bench ReadBench}.
 * The data is written once under {@code target/read-bench/<replicas>/} (about 7 GB for 115) and reused.
 * Usage: jobs/bench ReadBench [replicas, default 115] [formats, default parquet jsonl squad-json]
 */
public final class ReadBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int replicas = args.length > 0 ? Integer.parseInt(args[0]) : 115;
    List<InputFormat> formats = args.length > 1
        ? Stream.of(args).skip(1).map(InputFormat::parse).toList()
        : List.of(InputFormat.PARQUET, InputFormat.JSONL, InputFormat.SQUAD_JSON);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("ReadBench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "8").getOrCreate();
    Path data = TestData.projectDir().resolve("target/read-bench/" + replicas);
    write(spark, data, replicas);
    System.out.printf("heap: max %.2f GB; data: %s%n", Runtime.getRuntime().maxMemory() / 1e9, data);

    List<String> lines = new ArrayList<>();
    for (InputFormat format : formats) {
      Path out = Files.createTempDirectory("read-bench");
      String load = Files.readString(Path.of("/proc/loadavg")).trim();
      ReadResult result = new ReadJob(ReadConfig.of(new ReadInput(List.of(data.resolve(format.option()).toString()),
          format, null), out.resolve("examples").toString())).run(spark);
      String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
      String line = String.format("%s: %,d files, %,d questions read, %,d kept, %,d quarantined, %.0f s, "
              + "%,.0f questions/s; load average before %s, after %s", format, result.files(), result.read(),
          result.kept(), result.quarantined(), result.seconds(), result.read() / result.seconds(), load, loadAfter);
      System.out.println(line);
      lines.add(line);
      delete(out);
    }
    System.out.println("\nsummary (replicas " + replicas + "):");
    lines.forEach(System.out::println);
    spark.stop();
  }

  /** Each format's replicas under {@code data/<format>/}, written once (a marker file says it is complete). */
  private static void write(SparkSession spark, Path data, int replicas) throws IOException {
    Path done = data.resolve("_complete");
    if (Files.exists(done)) {
      return;
    }
    delete(data);
    Files.createDirectories(data.resolve(InputFormat.SQUAD_JSON.option()));
    System.out.println("writing " + replicas + " replicas of train-v1.1 into " + data + " ...");
    // the examples in datasets' layout, from Spark's own JSON reader
    Dataset<Row> train = SquadJson.examples(spark, TestData.trainV11()).drop("is_impossible").cache();
    JsonNode json = JSON.readTree(TestData.trainV11().toFile());
    List<ObjectNode> questions = new ArrayList<>();
    json.get("data").forEach(a -> a.get("paragraphs").forEach(p -> p.get("qas").forEach(q -> questions.add(
        (ObjectNode) q))));
    List<String> ids = questions.stream().map(q -> q.get("id").textValue()).toList();
    for (int k = 0; k < replicas; k++) {
      String suffix = "-r" + k;
      Dataset<Row> replica = train.withColumn("id", concat(col("id"), lit(suffix))).coalesce(1);
      replica.write().mode(SaveMode.Append).parquet(data.resolve(InputFormat.PARQUET.option()).toString());
      replica.write().mode(SaveMode.Append).option("compression", "gzip")
          .json(data.resolve(InputFormat.JSONL.option()).toString());
      for (int i = 0; i < questions.size(); i++) {
        questions.get(i).put("id", ids.get(i) + suffix);
      }
      JSON.writeValue(data.resolve(InputFormat.SQUAD_JSON.option()).resolve("train" + suffix + ".json").toFile(),
          json);
      if (k % 10 == 9) {
        System.out.println("  " + (k + 1) + " replicas written");
      }
    }
    train.unpersist();
    Files.createFile(done);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
