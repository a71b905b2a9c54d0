package io.qadistill.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.model.ModelConfig;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every family's exported graph against the family's PyTorch model ({@link QaModel#score}): a random model of each
 * (weights drawn with standard deviation 0.5, so that logits are far from zero), windows of 2 to 62 tokens with ids
 * that are never the pad id, batches of 3 padded to their longest; max |Δ start logit| ≤ 1e-4, and the graph's
 * limits (window length, token types) are the model's.
 */
class FamilyExportParityTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"bert", "distilbert", "roberta"})
  void exportedLogitsAreTheModels(String type) throws Exception {
    int types = type.equals("bert") ? 2 : type.equals("roberta") ? 1 : 0;
    int pad = type.equals("roberta") ? 1 : 0;
    ModelConfig config = new ModelConfig(type, 300, 32, 2, 4, 64, "gelu", 0, 0, 64, types, 1e-12, 0.5, pad);
    try (QaModel model = QaModel.initialize(config, new byte[0], 9)) {
      Path file = dir.resolve(type + ".onnx");
      OnnxExport.write(OnnxWeights.of(model), QaGraph.Precision.FP32, false, file, Map.of());
      Random random = new Random(3);
      List<int[]> ids = new ArrayList<>();
      List<int[]> tt = new ArrayList<>();
      for (int length : new int[] {5, 30, 12, 62, 2, 40, 17}) {
        int[] row = new int[length];
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
          row[i] = 2 + random.nextInt(298);
          t[i] = types > 1 && i > length / 2 ? 1 : 0;
        }
        ids.add(row);
        tt.add(t);
      }
      List<QaScorer.Logits> expected = model.score(ids, tt, new QaScorer.Options(4096, 3));
      List<float[]> start = PaddedRuns.run(file, ids, tt, 3, Map.of(QaGraph.START, 1)).get(QaGraph.START);
      double max = 0;
      for (int r = 0; r < ids.size(); r++) {
        for (int i = 0; i < ids.get(r).length; i++) {
          max = Math.max(max, Math.abs(start.get(r)[i] - expected.get(r).start()[i]));
        }
      }
      System.out.printf("%s: max |ORT - PyTorch| = %.3g%n", type, max);
      assertThat(max).isLessThanOrEqualTo(1e-4);
      try (OnnxQaSession s = OnnxQaSession.open(file, 1)) {
        assertThat(s.limits().maxLength()).isEqualTo(config.maxLength());
        assertThat(s.limits().takesTokenTypes()).isEqualTo(types > 1);
      }
    }
  }
}
