package io.qadistill.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import io.qadistill.model.MiniLmJar;
import io.qadistill.testing.RobertaTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows take the tokenizer's own pair template: BERT's and RoBERTa's, and a tokenizer without one is refused. */
class WindowTokenizerTest {
  private static final String CONTEXT = "Super Bowl 50 was an American football game to determine the champion of "
      + "the National Football League (NFL) for the 2015 season. The American Football Conference (AFC) champion "
      + "Denver Broncos defeated the National Football Conference (NFC) champion Carolina Panthers 24–10.";
  private static final String QUESTION = "Which NFL team represented the AFC at Super Bowl 50?";
  private static final String ANSWER = "Denver Broncos";

  @Test
  void bertWindowsAreClsQuestionSepContextSepWithTypesZeroThenOne() throws IOException {
    byte[] json;
    try (InputStream in = MiniLmJar.open(MiniLmJar.TOKENIZER_RESOURCE)) {
      json = in.readAllBytes();
    }
    try (WindowTokenizer tok = new WindowTokenizer(json, "bert", 384, 128)) {
      WindowTokenizer.Window w = only(tok);
      int q = tok.tokenize(QUESTION).size();
      int[] ids = w.inputIds();
      assertThat(ids[0]).as("[CLS]").isEqualTo(101);
      assertThat(ids[q + 1]).as("[SEP] after the question").isEqualTo(102);
      assertThat(ids[ids.length - 1]).as("[SEP] at the end").isEqualTo(102);
      assertThat(Arrays.stream(w.tokenTypeIds(), 0, q + 2)).containsOnly(0);
      assertThat(Arrays.stream(w.tokenTypeIds(), q + 2, ids.length)).containsOnly(1);
      assertAnswer(w, q + 2);
    }
  }

  @Test
  void robertaWindowsAreSQuestionTwoSeparatorsContextEndWithoutTokenTypes() {
    byte[] json = RobertaTokenizer.build(CONTEXT + " " + QUESTION, 200);
    try (WindowTokenizer tok = new WindowTokenizer(json, "roberta", 384, 128)) {
      WindowTokenizer.Window w = only(tok);
      int q = tok.tokenize(QUESTION).size();
      int[] ids = w.inputIds();
      assertThat(ids[0]).as("<s>").isEqualTo(0);
      assertThat(ids[q + 1]).as("</s> after the question").isEqualTo(2);
      assertThat(ids[q + 2]).as("a second </s>").isEqualTo(2);
      assertThat(ids[ids.length - 1]).as("</s> at the end").isEqualTo(2);
      assertThat(ids.length).isEqualTo(q + tok.tokenize(CONTEXT).size() + 4);
      assertThat(w.tokenTypeIds()).as("RoBERTa has no token types").containsOnly(0);
      assertAnswer(w, q + 3);
    }
  }

  @Test
  void aRobertaTemplateLeavesOneTokenLessForTheContext() {
    byte[] json = RobertaTokenizer.build(CONTEXT + " " + QUESTION, 200);
    try (WindowTokenizer tok = new WindowTokenizer(json, "roberta", 48, 4)) {
      WindowTokenizer.Tokens question = tok.tokenize(QUESTION);
      WindowTokenizer.Tokens context = tok.tokenize(CONTEXT);
      assertThat(tok.rejection(question, context)).isNull();
      List<WindowTokenizer.Window> windows = tok.windows(question, context, -1, -1);
      assertThat(windows).hasSizeGreaterThan(2);
      assertThat(windows).allSatisfy(w -> assertThat(w.inputIds().length).isLessThanOrEqualTo(48));
      // a full window: 48 tokens, of which 4 special and the question's, the rest context
      assertThat(windows.get(0).inputIds()).hasSize(48);
      assertThat(java.util.Arrays.stream(windows.get(0).offsetStart()).filter(o -> o >= 0).count())
          .isEqualTo(48 - 4 - question.size());
    }
    // a stride that fits BERT's 3 special tokens but not RoBERTa's 4
    assertThatThrownBy(() -> new WindowTokenizer(json, "roberta.json", 10, 5)).isInstanceOf(UsageException.class)
        .hasMessageContaining("doc_stride 5 can never fit max_length 10 with roberta.json");
  }

  @Test
  void aTokenizerWithoutAPairTemplateIsRefused() {
    byte[] json = new String(RobertaTokenizer.build(CONTEXT, 50), StandardCharsets.UTF_8)
        .replaceAll("\"post_processor\":\\{[^}]*}", "\"post_processor\":null").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new WindowTokenizer(json, "plain.json", 384, 128)).isInstanceOf(UsageException.class)
        .hasMessageContaining("plain.json: its post-processor does not put special tokens around a question");
  }

  private static WindowTokenizer.Window only(WindowTokenizer tok) {
    int start = CONTEXT.indexOf(ANSWER);
    List<WindowTokenizer.Window> windows = tok.windows(tok.tokenize(QUESTION), tok.tokenize(CONTEXT), start,
        start + ANSWER.length());
    assertThat(windows).hasSize(1);
    return windows.get(0);
  }

  /** The labelled tokens' offsets cut the answer out of the context, and special/question tokens have none. */
  private static void assertAnswer(WindowTokenizer.Window w, int contextStart) {
    assertThat(w.startPosition()).isGreaterThanOrEqualTo(contextStart);
    int[] starts = w.offsetStart();
    int[] ends = w.offsetEnd();
    for (int i : new int[] {0, contextStart - 1, starts.length - 1}) {
      assertThat(starts[i]).isEqualTo(FeaturesTable.NO_OFFSET);
      assertThat(ends[i]).isEqualTo(FeaturesTable.NO_OFFSET);
    }
    assertThat(CONTEXT.substring(starts[w.startPosition()], ends[w.endPosition()])).isEqualTo(ANSWER);
  }
}
