package io.qadistill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.eval.SpanDecoder;
import io.qadistill.eval.SquadMetrics;
import io.qadistill.eval.SquadVersion;
import io.qadistill.features.FeaturesTable;
import io.qadistill.features.WindowTokenizer;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.OnnxWeights;
import io.qadistill.model.QaModel;
import io.qadistill.model.QaScorer;
import io.qadistill.model.onnx.EncoderWeights;
import io.qadistill.model.onnx.OnnxCache;
import io.qadistill.model.onnx.OnnxExport;
import io.qadistill.model.onnx.OnnxQaSession;
import io.qadistill.model.onnx.QaGraph;
import io.qadistill.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * What int8 costs in answers: a model directory exported fp32 and int8 (into a temporary directory, leaving the
 * model's own untouched), both scored by ONNX Runtime on every window of a SQuAD v1.1 file (384/128, as featurize
 * cuts them), decoded as predict decodes (top 20 × 20, at most 30 tokens) and scored with the official v1.1
 * script's EM and F1. Prints both models' figures, the F1 difference (target: int8 within 0.5 of fp32) and how
 * often the two give the same answer.
 *
 * <p>{@code jobs/bench Int8QualityBench <model dir> [squad v1.1 json, default: dev-v1.1] [questions, 0 = all]}
 */
public final class Int8QualityBench {
  private static final int MAX_LENGTH = 384;
  private static final int DOC_STRIDE = 128;
  private static final int THREADS = 2;

  private record Question(String id, String context, List<String> answers, int firstWindow, int windows) {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Path squad = args.length > 1 ? Path.of(args[1]) : TestData.devV11();
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    List<Question> questions = new ArrayList<>();
    List<WindowTokenizer.Window> windows = new ArrayList<>();
    int rejected = 0;
    try (WindowTokenizer tokenizer = new WindowTokenizer(Files.readAllBytes(model.resolve(ModelDirectory.TOKENIZER)),
        model.resolve(ModelDirectory.TOKENIZER).toString(), MAX_LENGTH, DOC_STRIDE)) {
      for (JsonNode article : new ObjectMapper().readTree(squad.toFile()).path("data")) {
        for (JsonNode paragraph : article.path("paragraphs")) {
          String context = paragraph.path("context").asText();
          WindowTokenizer.Tokens contextTokens = tokenizer.tokenize(context);
          for (JsonNode qa : paragraph.path("qas")) {
            if (limit > 0 && questions.size() == limit) {
              break;
            }
            WindowTokenizer.Tokens question = tokenizer.tokenize(qa.path("question").asText().stripLeading());
            if (tokenizer.rejection(question, contextTokens) != null) {
              rejected++;
              continue;
            }
            List<WindowTokenizer.Window> w = tokenizer.windows(question, contextTokens, -1, -1);
            List<String> answers = new ArrayList<>();
            qa.path("answers").forEach(a -> answers.add(a.path("text").asText()));
            questions.add(new Question(qa.path("id").asText(), context, answers, windows.size(), w.size()));
            windows.addAll(w);
          }
        }
      }
    }
    System.out.printf("%s: %d questions (%d not windowable), %d windows%n", squad, questions.size(), rejected,
        windows.size());

    Path out = Files.createTempDirectory("int8quality");
    String source = ModelFingerprint.of(new Configuration(), model.toAbsolutePath().toString());
    EncoderWeights weights;
    try (QaModel m = ModelDirectory.load(model)) {
      weights = OnnxWeights.of(m);
    }
    for (QaGraph.Precision p : QaGraph.Precision.values()) {
      System.out.println("exported: " + OnnxCache.make(out, p, source, () -> weights));
    }
    List<int[]> ids = windows.stream().map(WindowTokenizer.Window::inputIds).toList();
    List<int[]> types = windows.stream().map(WindowTokenizer.Window::tokenTypeIds).toList();
    List<String> fp32 = answers(out.resolve(OnnxExport.FP32_FILE), questions, windows, ids, types);
    List<String> int8 = answers(out.resolve(OnnxExport.INT8_FILE), questions, windows, ids, types);

    double[] fp32Score = score(questions, fp32);
    double[] int8Score = score(questions, int8);
    int same = 0;
    for (int i = 0; i < questions.size(); i++) {
      same += fp32.get(i).equals(int8.get(i)) ? 1 : 0;
    }
    System.out.printf("fp32: EM %.2f F1 %.2f%nint8: EM %.2f F1 %.2f%n", fp32Score[0], fp32Score[1], int8Score[0],
        int8Score[1]);
    System.out.printf("int8 - fp32: EM %+.2f, F1 %+.2f (target: F1 within 0.5); the same answer on %d of %d "
        + "questions (%.1f%%)%n", int8Score[0] - fp32Score[0], int8Score[1] - fp32Score[1], same, questions.size(),
        100.0 * same / questions.size());
  }

  /** Each question's answer by the graph in {@code file}. */
  private static List<String> answers(Path file, List<Question> questions, List<WindowTokenizer.Window> windows,
                                      List<int[]> ids, List<int[]> types) {
    List<QaScorer.Logits> logits;
    long t0 = System.nanoTime();
    try (OnnxQaSession session = OnnxQaSession.open(file, THREADS)) {
      logits = session.score(ids, types);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%s: %d windows in %.0f s (%.1f windows/s, %d threads)%n", file.getFileName(), ids.size(),
        seconds, ids.size() / seconds, THREADS);
    List<String> out = new ArrayList<>();
    for (Question q : questions) {
      List<SpanDecoder.Window> w = new ArrayList<>();
      for (int i = q.firstWindow(); i < q.firstWindow() + q.windows(); i++) {
        w.add(new SpanDecoder.Window(logits.get(i).start(), logits.get(i).end(), offsets(windows.get(i))));
      }
      out.add(SpanDecoder.decode(q.context(), w, SpanDecoder.Config.defaults(false)).text());
    }
    return out;
  }

  /** The window's [start, end) code-point offsets per token, null outside the context (SpanDecoder's input). */
  private static int[][] offsets(WindowTokenizer.Window w) {
    int[][] pairs = new int[w.offsetStart().length][];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = w.offsetStart()[i] == FeaturesTable.NO_OFFSET ? null : new int[] {w.offsetStart()[i], w.offsetEnd()[i]};
    }
    return pairs;
  }

  /** EM and F1 (×100) of the answers, as the official v1.1 script computes them. */
  private static double[] score(List<Question> questions, List<String> answers) {
    double exact = 0;
    double f1 = 0;
    for (int i = 0; i < questions.size(); i++) {
      SquadMetrics.Score s = SquadMetrics.score(answers.get(i), questions.get(i).answers(), SquadVersion.V1_1);
      exact += s.exact();
      f1 += s.f1();
    }
    return new double[] {100 * exact / questions.size(), 100 * f1 / questions.size()};
  }
}
