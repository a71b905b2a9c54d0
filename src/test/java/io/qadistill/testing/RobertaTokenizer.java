package io.qadistill.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tokenizer.json in RoBERTa's layout, built for the tests (no RoBERTa tokenizer ships on Maven Central): GPT-2's
 * byte-level BPE (the ByteLevel pre-tokenizer with its byte-to-character table, so that any text encodes), merges
 * learned here from a text by the usual greedy pair counting, and RoBERTa's special tokens and post-processor
 * ({@code RobertaProcessing}: {@code <s> A </s></s> B </s>}), ids as in roberta-base: {@code <s>} 0, {@code <pad>}
 * 1, {@code </s>} 2, {@code <unk>} 3, then the 256 bytes, the merges, {@code <mask>} last.
 */
public final class RobertaTokenizer {
  /** GPT-2's pre-tokenization pattern. */
  private static final Pattern WORDS = Pattern.compile(
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
  private static final String[] SPECIALS = {"<s>", "<pad>", "</s>", "<unk>"};

  private RobertaTokenizer() {}

  /** A tokenizer.json with {@code merges} merges learned from {@code text}. */
  public static byte[] build(String text, int merges) {
    char[] byteChar = byteToChar();
    Map<List<String>, Integer> words = new HashMap<>();
    Matcher m = WORDS.matcher(text);
    while (m.find()) {
      List<String> symbols = new ArrayList<>();
      for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
        symbols.add(String.valueOf(byteChar[b & 0xff]));
      }
      words.merge(symbols, 1, Integer::sum);
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : SPECIALS) {
      vocab.put(s, vocab.size());
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(byteChar[b]), vocab.size());
    }
    List<String> learned = new ArrayList<>();
    List<List<String>> forms = new ArrayList<>(words.keySet());
    List<Integer> counts = forms.stream().map(words::get).toList();
    forms = new ArrayList<>(forms.stream().map(ArrayList::new).map(l -> (List<String>) l).toList());
    for (int k = 0; k < merges; k++) {
      Map<String, Long> pairs = new HashMap<>();
      for (int w = 0; w < forms.size(); w++) {
        List<String> f = forms.get(w);
        for (int i = 0; i + 1 < f.size(); i++) {
          pairs.merge(f.get(i) + " " + f.get(i + 1), (long) counts.get(w), Long::sum);
        }
      }
      String best = pairs.entrySet().stream()
          .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(
              java.util.Comparator.reverseOrder())))
          .map(Map.Entry::getKey).orElse(null);
      if (best == null || pairs.get(best) < 2) {
        break;
      }
      String[] ab = best.split(" ");
      learned.add(best);
      vocab.putIfAbsent(ab[0] + ab[1], vocab.size());
      for (List<String> f : forms) {
        for (int i = 0; i + 1 < f.size(); i++) {
          if (f.get(i).equals(ab[0]) && f.get(i + 1).equals(ab[1])) {
            f.set(i, ab[0] + ab[1]);
            f.remove(i + 1);
          }
        }
      }
    }
    vocab.put("<mask>", vocab.size());
    return json(vocab, learned);
  }

  private static byte[] json(Map<String, Integer> vocab, List<String> merges) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : new String[] {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}) {
      added.addObject().put("id", vocab.get(s)).put("content", s).put("single_word", false)
          .put("lstrip", s.equals("<mask>")).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "RobertaProcessing");
    post.putArray("sep").add("</s>").add(vocab.get("</s>"));
    post.putArray("cls").add("<s>").add(vocab.get("<s>"));
    post.put("trim_offsets", true).put("add_prefix_space", false);
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
        .put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode m = model.putArray("merges");
    merges.forEach(m::add);
    try {
      return mapper.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for characters from U+0100 on. */
  private static char[] byteToChar() {
    char[] out = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      out[b] = printable[b] ? (char) b : (char) (256 + n++);
    }
    return out;
  }
}
