package io.qadistill.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.features.FeaturesTable;
import io.qadistill.features.FeaturizeConfig;
import io.qadistill.features.FeaturizeJob;
import io.qadistill.model.QaModel;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.OnnxImport;
import io.qadistill.model.QaScorer;
import io.qadistill.model.ScoringRuntime;
import io.qadistill.squad.ReadConfig;
import io.qadistill.squad.ReadJob;
import io.qadistill.model.Runtimes;
import io.qadistill.common.UsageException;
import io.qadistill.teacher.LogitsTable;
import io.qadistill.testing.LocalSpark;
import io.qadistill.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The predict stage on real dev-v2.0 questions: from hand-built logits, and from an imported model. */
class PredictJobTest {
  private final SparkSession spark = LocalSpark.get();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * 150 questions, windows of 64 tokens, "oracle" logits that point at the first gold answer where a window holds
   * it whole, and at CLS elsewhere (so unanswerable questions decode to "").
   */
  @Test
  void decodesALogitsTableIntoTheTableAndTheOfficialFiles(@TempDir Path dir) throws Exception {
    List<SquadJson.Qa> qas = SquadJson.read(TestData.devV20()).subList(0, 150);
    List<Row> features = new ArrayList<>();
    List<Row> logits = new ArrayList<>();
    List<Row> contrarian = new ArrayList<>();
    Map<String, String> expected = new HashMap<>();
    for (SquadJson.Qa qa : qas) {
      for (SpanDecodingTest.Win w : SpanDecodingTest.windows(qa)) {
        features.add(w.row());
        float[] s = new float[w.ids().length];
        float[] e = new float[w.ids().length];
        int a = qa.answers().isEmpty() ? -1 : w.tokenAt(qa.starts().get(0));
        int b = qa.answers().isEmpty() ? -1 : w.tokenAt(qa.starts().get(0) + qa.answers().get(0).length() - 1);
        if (a >= 0 && b >= a) {
          s[a] = 8;
          e[b] = 8;
          expected.putIfAbsent(qa.id(), qa.context().substring(w.offsets()[a][0], w.offsets()[b][1]));
        } else {
          s[0] = 5;
          e[0] = 5;
        }
        logits.add(RowFactory.create(w.exampleId(), w.window(), s, e, "oracle"));
        // another teacher, sure of the window's last context token: decoded with the oracle's rows, it would win
        float[] last = new float[w.ids().length];
        last[w.ids().length - 2] = 20;
        contrarian.add(RowFactory.create(w.exampleId(), w.window(), last, last));
      }
      expected.putIfAbsent(qa.id(), "");
    }
    String examplesPath = dir.resolve("examples").toString();
    String featuresPath = dir.resolve("features").toString();
    String logitsPath = dir.resolve("logits").toString();
    SquadJson.examples(qas).write().parquet(examplesPath);
    FeaturesTable.write(spark.createDataFrame(features, FeaturesTable.SCHEMA), featuresPath);
    spark.createDataFrame(logits, LogitsTable.SCHEMA).write().parquet(logitsPath);

    PredictJob.Result predicted = new PredictJob(PredictJob.Config.ofLogits(examplesPath, featuresPath, logitsPath,
        null, dir.resolve("pred").toString())).run(spark);
    assertThat(predicted.version()).isEqualTo("v2.0");
    assertThat(predicted.predictions()).isEqualTo(150);
    assertThat(predicted.logits()).isEqualTo(logitsPath);
    JsonNode texts = json.readTree(Path.of(predicted.predictionsJson()).toFile());
    JsonNode odds = json.readTree(Path.of(predicted.nullOdds()).toFile());
    assertThat(texts.size()).isEqualTo(150);
    assertThat(odds.size()).isEqualTo(150);
    for (SquadJson.Qa qa : qas) {
      assertThat(texts.get(qa.id()).asText()).as(qa.id()).isEqualTo(expected.get(qa.id()));
    }
    assertThat(expected.values().stream().filter(String::isEmpty).count()).as("questions answered \"\"")
        .isBetween(40L, 110L);
    // Unanswerable: CLS scores 5 + 5 in every window and the best span 0 + 0, so the odds are 10.
    String unanswerable = qas.stream().filter(q -> q.answers().isEmpty()).findFirst().orElseThrow().id();
    assertThat(odds.get(unanswerable).asDouble()).isEqualTo(10.0);
    Row table = spark.read().parquet(predicted.table()).filter("id = '" + unanswerable + "'").first();
    assertThat(table.getString(1)).isEmpty();
    assertThat(table.getDouble(2)).isEqualTo(10.0);
    // The n-best list: the null answer (score 10) first, then 19 spans of score 0.
    List<Row> nbest = table.getList(3);
    assertThat(nbest).hasSize(20);
    assertThat(nbest.get(0).getString(0)).isEmpty();
    assertThat(nbest.get(1).getString(0)).isNotEmpty();

    // Two teachers' logits in teacher-logits' layout: only the chosen one's rows reach decoding.
    Path two = dir.resolve("two-teachers");
    spark.read().parquet(logitsPath).drop("teacher").write().parquet(two.resolve("teacher=oracle/run=1").toString());
    spark.createDataFrame(contrarian, LogitsTable.FILE_SCHEMA).write()
        .parquet(two.resolve("teacher=contrarian/run=1").toString());
    assertThatThrownBy(() -> new PredictJob(PredictJob.Config.ofLogits(examplesPath, featuresPath, two.toString(),
        null, dir.resolve("pred-any").toString())).run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("holds the logits of several teachers").hasMessageContaining("oracle")
        .hasMessageContaining("contrarian").hasMessageEndingWith("choose one with --teacher");
    PredictJob.Result chosen = new PredictJob(PredictJob.Config.ofLogits(examplesPath, featuresPath, two.toString(),
        "oracle", dir.resolve("pred-oracle").toString())).run(spark);
    JsonNode chosenTexts = json.readTree(Path.of(chosen.predictionsJson()).toFile());
    assertThat(chosen.predictions()).isEqualTo(150);
    for (SquadJson.Qa qa : qas) {
      assertThat(chosenTexts.get(qa.id()).asText()).as(qa.id() + " from the oracle's rows only")
          .isEqualTo(expected.get(qa.id()));
    }
    assertThat(json.readTree(Path.of(chosen.nullOdds()).toFile())).isEqualTo(odds);
  }

  /**
   * all-MiniLM-L6-v2 imported from the bundled ONNX file (its QA head from a seed), run by the job over the
   * features the featurize stage cuts from 30 dev-v2.0 questions: the logits are the model's (as QaScorer
   * gives them on the driver) and the predictions are what the decoder makes of them.
   */
  @Test
  void runsAnImportedModelOverRealFeatures(@TempDir Path dir) throws Exception {
    List<SquadJson.Qa> qas = SquadJson.read(TestData.devV20()).subList(0, 30);
    String examplesPath = dir.resolve("examples").toString();
    String featuresPath = dir.resolve("features").toString();
    SquadJson.examples(qas).write().parquet(examplesPath);
    new FeaturizeJob(FeaturizeConfig.defaults(examplesPath, featuresPath, dir.resolve("q").toString())).run(spark);
    Path modelDir = dir.resolve("minilm");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, modelDir, null, 7));

    PredictJob.Result result = new PredictJob(PredictJob.Config.ofModel(examplesPath, featuresPath,
        modelDir.toString(), dir.resolve("pred").toString(), ScoringRuntime.DEFAULT, false)).run(spark);
    assertThat(result.version()).isEqualTo("v2.0");
    assertThat(result.runtime()).as("the default on CPU tasks").isEqualTo("onnx (model.onnx)");
    assertThat(result.predictions()).isEqualTo(30);

    List<Row> features = FeaturesTable.read(spark, featuresPath, FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW,
        FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS, FeaturesTable.OFFSET_START, FeaturesTable.OFFSET_END)
        .collectAsList();
    Map<String, Row> logits = new HashMap<>();
    for (Row r : spark.read().parquet(result.logits()).collectAsList()) {
      logits.put(r.getString(0) + "/" + r.getInt(1), r);
    }
    assertThat(logits).hasSize(features.size());
    List<int[]> ids = features.stream().map(r -> ints(r.getList(2))).toList();
    List<int[]> types = features.stream().map(r -> ints(r.getList(3))).toList();
    List<QaScorer.Logits> direct;
    try (QaModel model = ModelDirectory.load(modelDir)) {
      direct = model.score(ids, types, QaScorer.Options.DEFAULT);
    }
    double maxDiff = 0;
    for (int i = 0; i < features.size(); i++) {
      Row f = features.get(i);
      Row l = logits.get(f.getString(0) + "/" + f.getInt(1));
      assertThat(l.getString(4)).isEqualTo("minilm");
      float[] start = floats(l.getList(2));
      float[] end = floats(l.getList(3));
      assertThat(start).hasSize(ids.get(i).length);
      for (int t = 0; t < start.length; t++) {
        maxDiff = Math.max(maxDiff, Math.abs(start[t] - direct.get(i).start()[t]));
        maxDiff = Math.max(maxDiff, Math.abs(end[t] - direct.get(i).end()[t]));
      }
    }
    // Batches differ (padding is masked): float rounding only.
    assertThat(maxDiff).as("max |job logits - driver logits|").isLessThanOrEqualTo(1e-4);

    // Decoded on the driver from the job's logits, every answer and null odds come out the same.
    JsonNode texts = json.readTree(Path.of(result.predictionsJson()).toFile());
    JsonNode odds = json.readTree(Path.of(result.nullOdds()).toFile());
    assertThat(texts.size()).isEqualTo(30);
    for (SquadJson.Qa qa : qas) {
      List<SpanDecoder.Window> windows = features.stream()
          .filter(f -> f.getString(0).equals(qa.id()))
          .sorted(Comparator.comparingInt(f -> f.getInt(1)))
          .map(f -> {
            Row l = logits.get(f.getString(0) + "/" + f.getInt(1));
            return new SpanDecoder.Window(floats(l.getList(2)), floats(l.getList(3)),
                FeaturesTable.offsetMapping(f));
          })
          .toList();
      SpanDecoder.Decoded d = SpanDecoder.decode(qa.context(), windows, SpanDecoder.Config.defaults(true));
      assertThat(texts.get(qa.id()).asText()).as(qa.id()).isEqualTo(d.text());
      assertThat(odds.get(qa.id()).asDouble()).as(qa.id()).isCloseTo(d.nullOdds(), within(0.0));
    }
    assertThat(dir.resolve("pred").resolve("_provenance.json")).exists();

    // PyTorch on the same windows: the same answers, null odds within the logits' rounding
    PredictJob.Result pytorch = new PredictJob(PredictJob.Config.ofModel(examplesPath, featuresPath,
        modelDir.toString(), dir.resolve("pred-pytorch").toString(), ScoringRuntime.PYTORCH, false)).run(spark);
    assertThat(pytorch.runtime()).isEqualTo("pytorch");
    assertSameAnswers(result, pytorch, 0);
  }

  /**
   * The predictions of one model by ONNX Runtime and by PyTorch over dev-sample.json (2,145 questions of
   * dev-v1.1, the embedded default's dev set): the same answer text for every question. Slow (both runtimes over
   * about 2,300 windows: several minutes on 2 cores), so it runs with the slow suite ({@code mvn -B test -Pslow}).
   */
  @Test
  @Tag("slow")
  void onnxRuntimeAndPyTorchGiveTheSameAnswersOnTheDevSample(@TempDir Path dir) throws Exception {
    String examplesPath = dir.resolve("examples").toString();
    String featuresPath = dir.resolve("features").toString();
    new ReadJob(ReadConfig.of(List.of(TestData.squadDir().resolve("dev-sample.json").toString()), examplesPath))
        .run(spark);
    new FeaturizeJob(FeaturizeConfig.defaults(examplesPath, featuresPath, dir.resolve("q").toString())).run(spark);
    Path modelDir = dir.resolve("minilm");
    OnnxImport.write(new OnnxImport.Config(OnnxImport.CLASSPATH, modelDir, null, 7));
    PredictJob.Result onnx = new PredictJob(PredictJob.Config.ofModel(examplesPath, featuresPath,
        modelDir.toString(), dir.resolve("pred-onnx").toString(), ScoringRuntime.ONNX, false)).run(spark);
    PredictJob.Result pytorch = new PredictJob(PredictJob.Config.ofModel(examplesPath, featuresPath,
        modelDir.toString(), dir.resolve("pred-pytorch").toString(), ScoringRuntime.PYTORCH, false)).run(spark);
    assertThat(onnx.predictions()).isEqualTo(2_145);
    assertSameAnswers(onnx, pytorch, 0);
  }

  /**
   * Both runs answer every question, and all but {@code differing} alike; each n-best candidate's start and end
   * logits within 1e-4 where the candidates are the same spans.
   */
  private void assertSameAnswers(PredictJob.Result a, PredictJob.Result b, int differing) {
    Map<String, Row> left = new HashMap<>();
    for (Row r : spark.read().parquet(a.table()).collectAsList()) {
      left.put(r.getString(0), r);
    }
    List<String> differ = new ArrayList<>();
    double maxLogitDiff = 0;
    int compared = 0;
    for (Row r : spark.read().parquet(b.table()).collectAsList()) {
      Row l = left.remove(r.getString(0));
      assertThat(l).as("%s in both", r.getString(0)).isNotNull();
      if (!l.getString(1).equals(r.getString(1))) {
        differ.add(r.getString(0) + ": \"" + l.getString(1) + "\" against \"" + r.getString(1) + "\"");
        continue;
      }
      List<Row> nbestA = l.getList(3);
      List<Row> nbestB = r.getList(3);
      for (int i = 0; i < Math.min(nbestA.size(), nbestB.size()); i++) {
        if (nbestA.get(i).getString(0).equals(nbestB.get(i).getString(0))) {
          compared++;
          maxLogitDiff = Math.max(maxLogitDiff, Math.abs(nbestA.get(i).getFloat(2) - nbestB.get(i).getFloat(2)));
          maxLogitDiff = Math.max(maxLogitDiff, Math.abs(nbestA.get(i).getFloat(3) - nbestB.get(i).getFloat(3)));
        }
      }
    }
    assertThat(left.keySet()).as("questions answered only by %s", a.runtime()).isEmpty();
    System.out.printf("predict: %s against %s: %d answers differ%s; n-best logits of %d like candidates within %.3g%n",
        a.runtime(), b.runtime(), differ.size(), differ.isEmpty() ? "" : " " + differ, compared, maxLogitDiff);
    assertThat(differ).as("questions whose answers differ").hasSize(differing);
    assertThat(maxLogitDiff).as("max |start or end logit| difference of like candidates").isLessThanOrEqualTo(1e-4);
  }

  private static int[] ints(List<Integer> v) {
    return v.stream().mapToInt(Integer::intValue).toArray();
  }

  private static float[] floats(List<Float> v) {
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  /**
   * A wrong input path is a usage error naming the option, the path and what to give (the launcher prints it
   * without a stack trace), not Spark's PATH_NOT_FOUND; so is a table of the wrong kind.
   */
  @Test
  void wrongInputTablesAreUsageErrorsThatNameTheOption(@TempDir Path dir) {
    String examples = dir.resolve("examples").toString();
    SquadJson.examples(SquadJson.read(TestData.devV11()).subList(0, 5)).write().parquet(examples);
    String missing = dir.resolve("no-such-table").toString();

    assertThatThrownBy(() -> new PredictJob(PredictJob.Config.ofLogits(missing, examples, missing, null, dir.toString()))
        .run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("cannot read the examples table " + missing + " ([PATH_NOT_FOUND]")
        .hasMessageEndingWith("give --examples the --out directory of a 'read' run");
    // the examples table where the features should be
    assertThatThrownBy(() -> new PredictJob(PredictJob.Config.ofLogits(examples, examples, missing, null, dir.toString()))
        .run(spark))
        .isInstanceOf(UsageException.class)
        .hasMessage("the features table " + examples + " has no column example_id (it has [id, title, context, "
            + "question, answers, is_impossible]): give --features the --out directory of a 'featurize' run");
    assertThatThrownBy(() -> PredictionsTable.read(spark, missing, null))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("cannot read the predictions table " + missing)
        .hasMessageContaining("give --predictions a predictions.json file");
  }
}
