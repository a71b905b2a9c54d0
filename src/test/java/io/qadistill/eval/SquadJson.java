package io.qadistill.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.testing.LocalSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Test helper: a SQuAD JSON file as the examples table (the schema of HELPERS.md), read with Jackson on the
 * driver. Stands in for the squad stage's reader, which these tests do not depend on.
 */
final class SquadJson {
  static final StructType EXAMPLES = new StructType()
      .add("id", DataTypes.StringType)
      .add("title", DataTypes.StringType)
      .add("context", DataTypes.StringType)
      .add("question", DataTypes.StringType)
      .add("answers", new StructType()
          .add("text", DataTypes.createArrayType(DataTypes.StringType))
          .add("answer_start", DataTypes.createArrayType(DataTypes.IntegerType)))
      .add("is_impossible", DataTypes.BooleanType);

  /** One question of the file, in file order. */
  record Qa(String id, String title, String context, String question, List<String> answers,
      List<Integer> starts, boolean impossible) {
    Row row() {
      return RowFactory.create(id, title, context, question, RowFactory.create(answers, starts), impossible);
    }
  }

  private static final Map<Path, List<Qa>> CACHE = new ConcurrentHashMap<>();

  private SquadJson() {}

  static List<Qa> read(Path file) {
    return CACHE.computeIfAbsent(file, SquadJson::parse);
  }

  static Dataset<Row> examples(Path file) {
    return examples(read(file));
  }

  static Dataset<Row> examples(List<Qa> qas) {
    return LocalSpark.get().createDataFrame(qas.stream().map(Qa::row).toList(), EXAMPLES);
  }

  private static List<Qa> parse(Path file) {
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      List<Qa> out = new ArrayList<>();
      for (JsonNode article : root.get("data")) {
        for (JsonNode paragraph : article.get("paragraphs")) {
          for (JsonNode qa : paragraph.get("qas")) {
            List<String> texts = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            for (JsonNode a : qa.get("answers")) {
              texts.add(a.get("text").asText());
              starts.add(a.get("answer_start").asInt());
            }
            out.add(new Qa(qa.get("id").asText(), article.get("title").asText(),
                paragraph.get("context").asText(), qa.get("question").asText(), texts, starts,
                qa.path("is_impossible").asBoolean(false)));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
