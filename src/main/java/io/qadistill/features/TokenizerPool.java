package io.qadistill.features;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Window tokenizers kept for the life of the executor JVM and lent to one task at a time. Building one parses
 * tokenizer.json into a native tokenizer (and DJL first copies the file into a growing array, a humongous
 * allocation for the collector); when each of train-v1.1's 22 partitions built its own, that and the collections it
 * caused were much of what featurize spent beyond the tokenizer calls themselves. A task borrows one and gives it
 * back when it completes, so there are as many as tasks ran at once; they are never closed (a few MB each).
 */
final class TokenizerPool {
  private record Key(String digest, String source, int maxLength, int docStride) {}

  private static final ConcurrentMap<Key, Queue<WindowTokenizer>> IDLE = new ConcurrentHashMap<>();

  private TokenizerPool() {}

  /** A tokenizer of {@code json} for the running task, returned to the pool when the task completes. */
  static WindowTokenizer borrow(byte[] json, String source, int maxLength, int docStride) {
    Queue<WindowTokenizer> idle = IDLE.computeIfAbsent(new Key(sha256(json), source, maxLength, docStride),
        k -> new ConcurrentLinkedQueue<>());
    WindowTokenizer polled = idle.poll();
    WindowTokenizer tokenizer = polled != null ? polled : new WindowTokenizer(json, source, maxLength, docStride);
    TaskContext.get().addTaskCompletionListener((TaskCompletionListener) ctx -> idle.add(tokenizer));
    return tokenizer;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
