package io.qadistill.eval;

import ai.djl.Device;
import io.qadistill.features.FeaturesTable;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.Runtimes;
import io.qadistill.model.ScoringModel;
import io.qadistill.model.ScoringRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model as the comparison report shows it: its size and its speed on the same windows as the other models.
 *
 * @param name the report's label
 * @param dir the model directory
 * @param layers encoder layers
 * @param hidden hidden size
 * @param parameters weights in all
 * @param bytes size of {@code model.safetensors}
 * @param windowsPerSecond inference speed on the measured windows ({@link #measure})
 * @param threads intra-op threads the speed was measured with
 * @param runtime what ran the model ({@link ScoringModel#describe})
 */
public record ModelFacts(String name, String dir, int layers, int hidden, long parameters, long bytes,
    double windowsPerSecond, int threads, String runtime) {
  private static final Logger LOG = LoggerFactory.getLogger(ModelFacts.class);

  /** Dev windows each model's speed is measured on, and the turns each takes. */
  static final int WINDOWS = 128;
  static final int ROUNDS = 2;

  /**
   * Each model ({@code name → directory}) measured on the first {@value #WINDOWS} windows of {@code features}
   * (by example id and window), with all of this machine's cores, in {@code runtime} ({@code int8}: its int8 graph).
   */
  public static List<ModelFacts> measure(SparkSession spark, Map<String, String> models, String features,
      ScoringRuntime runtime, boolean int8) {
    List<Row> rows = FeaturesTable.read(spark, features, FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW,
            FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS)
        .orderBy(FeaturesTable.EXAMPLE_ID, FeaturesTable.WINDOW)
        .select(FeaturesTable.INPUT_IDS, FeaturesTable.TOKEN_TYPE_IDS).limit(WINDOWS).collectAsList();
    List<int[]> ids = new ArrayList<>();
    List<int[]> types = new ArrayList<>();
    for (Row r : rows) {
      ids.add(r.<Integer>getList(0).stream().mapToInt(Integer::intValue).toArray());
      types.add(r.<Integer>getList(1).stream().mapToInt(Integer::intValue).toArray());
    }
    int threads = Runtime.getRuntime().availableProcessors();
    LOG.info("measuring each model's speed on {} windows of {}, {} threads ...", ids.size(), features, threads);
    return measure(models, ids, types, threads, ROUNDS, runtime, int8);
  }

  /**
   * Opens each model ({@code name → directory}) in this JVM with {@code runtime} (resolved for CPU tasks: ONNX
   * Runtime by default, its graph made when missing or stale) and times it on the same windows, batched by length as
   * the predict stage does. The models take turns, {@code rounds} times in a rotating order after one warm-up
   * pass each, so a machine's drift falls on all alike and their speeds compare as a ratio.
   */
  public static List<ModelFacts> measure(Map<String, String> models, List<int[]> inputIds, List<int[]> tokenTypeIds,
      int threads, int rounds, ScoringRuntime runtime, boolean int8) {
    Runtimes.setThreads(threads);
    List<String> names = new ArrayList<>(models.keySet());
    Map<String, QaScorer> loaded = new LinkedHashMap<>();
    try {
      Map<String, long[]> nanos = new LinkedHashMap<>();
      Map<String, ModelFacts> sizes = new LinkedHashMap<>();
      for (String name : names) {
        Path dir = Path.of(models.get(name));
        ScoringModel scoring = ScoringModel.prepare(dir, runtime, int8, false,
            () -> ModelFingerprint.of(new Configuration(), dir.toString()));
        QaModel model = ModelDirectory.load(dir);
        sizes.put(name, new ModelFacts(name, dir.toString(), model.config().numHiddenLayers(),
            model.config().hiddenSize(), model.parameterCount(), bytes(dir), 0, threads, scoring.describe()));
        QaScorer scorer = model; // PyTorch times the model loaded for its sizes
        if (scoring.runtime() == ScoringRuntime.ONNX) {
          model.close();
          scorer = scoring.open(Device.cpu(), threads);
        }
        loaded.put(name, scorer);
        scorer.score(inputIds, tokenTypeIds); // warm-up
        nanos.put(name, new long[1]);
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((i + r) % names.size());
          QaScorer scorer = loaded.get(name);
          long t0 = System.nanoTime();
          scorer.score(inputIds, tokenTypeIds);
          nanos.get(name)[0] += System.nanoTime() - t0;
        }
      }
      List<ModelFacts> facts = new ArrayList<>();
      for (String name : names) {
        ModelFacts m = sizes.get(name);
        double perSecond = rounds * (double) inputIds.size() / (nanos.get(name)[0] / 1e9);
        facts.add(new ModelFacts(name, m.dir(), m.layers(), m.hidden(), m.parameters(), m.bytes(), perSecond,
            threads, m.runtime()));
        LOG.info("{}: {} parameters, {} windows/s on {} windows ({} threads, {})", name, m.parameters(),
            String.format("%.1f", perSecond), inputIds.size(), threads, m.runtime());
      }
      return facts;
    } finally {
      loaded.values().forEach(QaScorer::close);
    }
  }

  private static long bytes(Path dir) {
    try {
      return Files.size(dir.resolve(ModelDirectory.WEIGHTS));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(ModelDirectory.WEIGHTS), e);
    }
  }
}
