package io.qadistill.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real SQuAD windows for the model tests and benchmark, cut with the Hugging Face recipe (question, context;
 * truncate the context only; max_length 384, stride 128, overflowing windows) by DJL's tokenizer on the bundled
 * all-MiniLM-L6-v2 tokenizer.json. A test-side stand-in for the featurize job, so that these tests need only the
 * model package. Answer positions as run_qa.py: the tokens holding the first answer's first and last character,
 * 0 (CLS) when the answer is not wholly inside the window.
 */
public final class SquadWindows {
  /** One window: ids and type ids (unpadded) and the answer's token positions. */
  public record Window(int[] inputIds, int[] tokenTypeIds, int startPosition, int endPosition) {
    public int length() {
      return inputIds.length;
    }
  }

  private SquadWindows() {}

  /** The first {@code count} windows of a SQuAD file, in file order. */
  public static List<Window> first(Path squadJson, int count) {
    try (InputStream tok = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      Path tokenizerFile = Files.createTempFile("tokenizer", ".json");
      try {
        Files.write(tokenizerFile, tok.readAllBytes());
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
            .optTokenizerPath(tokenizerFile)
            .optTruncateSecondOnly()
            .optMaxLength(384)
            .optStride(128)
            .optWithOverflowingTokens(true)
            .optPadding(false)
            .build()) {
          return windows(tokenizer, new ObjectMapper().readTree(squadJson.toFile()), count);
        }
      } finally {
        Files.delete(tokenizerFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Window> windows(HuggingFaceTokenizer tokenizer, JsonNode root, int count) {
    List<Window> out = new ArrayList<>();
    for (JsonNode article : root.path("data")) {
      for (JsonNode paragraph : article.path("paragraphs")) {
        String context = paragraph.path("context").asText();
        for (JsonNode qa : paragraph.path("qas")) {
          String question = qa.path("question").asText().stripLeading();
          JsonNode answer = qa.path("answers").path(0);
          int answerStart = answer.path("answer_start").asInt(-1);
          int answerEnd = answerStart + answer.path("text").asText().length();
          Encoding first = tokenizer.encode(question, context);
          List<Encoding> all = new ArrayList<>();
          all.add(first);
          all.addAll(List.of(first.getOverflowing()));
          for (Encoding e : all) {
            out.add(window(e, answerStart, answerEnd));
            if (out.size() == count) {
              return out;
            }
          }
        }
      }
    }
    throw new IllegalStateException("the file has fewer than " + count + " windows");
  }

  private static Window window(Encoding e, int answerStart, int answerEnd) {
    long[] ids = e.getIds();
    long[] types = e.getTypeIds();
    CharSpan[] spans = e.getCharTokenSpans();
    int start = 0;
    int end = 0;
    int firstContext = -1;
    int lastContext = -1;
    for (int i = 0; i < ids.length; i++) {
      if (types[i] == 1 && spans[i] != null) {
        firstContext = firstContext < 0 ? i : firstContext;
        lastContext = i;
      }
    }
    if (answerStart >= 0 && firstContext >= 0 && spans[firstContext].getStart() <= answerStart
        && spans[lastContext].getEnd() >= answerEnd) {
      start = firstContext;
      while (start <= lastContext && spans[start].getEnd() <= answerStart) {
        start++;
      }
      end = lastContext;
      while (end >= firstContext && spans[end].getStart() >= answerEnd) {
        end--;
      }
    }
    int[] intIds = new int[ids.length];
    int[] intTypes = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      intIds[i] = (int) ids[i];
      intTypes[i] = (int) types[i];
    }
    return new Window(intIds, intTypes, start, end);
  }
}
