package io.qadistill.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qadistill.common.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tokenizer.json's vocabulary: its size (one more than the highest id, added tokens included) and a fingerprint
 * of its tokens and their ids, so that two models can be told to share a tokenizer or not (a student reads the
 * ids its teacher's windows hold; another vocabulary gives them other meanings).
 */
public record Vocabulary(int size, String fingerprint, int padId) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The vocabulary of a tokenizer.json ({@code model.vocab}: an object for WordPiece and BPE, pairs for Unigram). */
  public static Vocabulary of(byte[] tokenizerJson, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(tokenizerJson);
    } catch (IOException e) {
      throw new UsageException(source + " is not a readable tokenizer.json: " + e.getMessage(), e);
    }
    Map<Integer, String> tokens = new TreeMap<>();
    JsonNode vocab = root == null ? null : root.path("model").path("vocab");
    if (vocab != null && vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        tokens.put(e.getValue().asInt(), e.getKey());
      }
    } else if (vocab != null && vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) {
        tokens.put(i, vocab.get(i).path(0).asText());
      }
    }
    if (root != null) {
      for (JsonNode added : root.path("added_tokens")) {
        tokens.put(added.path("id").asInt(), added.path("content").asText());
      }
    }
    if (tokens.isEmpty()) {
      throw new UsageException(source + " has no vocabulary (model.vocab): is it a tokenizer.json?");
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    int pad = 0;
    for (Map.Entry<Integer, String> e : tokens.entrySet()) {
      sha.update((e.getKey() + "\t" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
      if (e.getValue().equals("[PAD]") || e.getValue().equals("<pad>")) {
        pad = e.getKey();
      }
    }
    return new Vocabulary(((TreeMap<Integer, String>) tokens).lastKey() + 1,
        HexFormat.of().formatHex(sha.digest()).substring(0, 16), pad);
  }
}
