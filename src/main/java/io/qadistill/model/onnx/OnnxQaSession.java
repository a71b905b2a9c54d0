package io.qadistill.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qadistill.common.UsageException;
import io.qadistill.model.QaScorer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A question-answering graph ({@link QaGraph}'s inputs and outputs) in an ONNX Runtime session: windows in, start
 * and end logits out, batched as {@link QaScorer.Options} says (sorted by length, each batch padded to its longest
 * row).
 *
 * <p>Thread-safe: ONNX Runtime's {@code run} may be called from several threads on one session, so the Spark tasks
 * of an executor share one. Each call runs on the calling thread plus the session's intra-op pool ({@code threads}
 * - 1 more threads): one thread per session where each task brings its own core, as Spark's tasks do.
 */
public final class OnnxQaSession implements QaScorer {
  /**
   * The stack of the thread that creates ONNX Runtime's environment: reserved address space, of which only the
   * pages touched take memory. 256 MB takes command lines of about a megabyte ({@link #environment}).
   */
  private static final long ENVIRONMENT_STACK = 256L << 20;
  private static boolean environmentCreated;

  private final Path file;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final boolean takesTokenTypes;
  private final Limits limits;

  private OnnxQaSession(Path file, OrtEnvironment env, OrtSession session, boolean takesTokenTypes, Limits limits) {
    this.file = file;
    this.env = env;
    this.session = session;
    this.takesTokenTypes = takesTokenTypes;
    this.limits = limits;
  }

  /**
   * Opens {@code file} with {@code threads} intra-op threads. A file that is missing, that ONNX Runtime cannot load,
   * or whose inputs and outputs are not a question-answering graph's is a {@link UsageException} naming it.
   */
  public static OnnxQaSession open(Path file, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + " must be ≥ 1");
    }
    if (!Files.isRegularFile(file)) {
      throw new UsageException(file + " does not exist or is not a file");
    }
    OrtEnvironment env = environment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      session = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new UsageException(file + " is not an ONNX model that ONNX Runtime can load (" + e.getMessage().strip()
          + "); export it again with export-onnx", e);
    }
    try {
      Set<String> inputs = session.getInputNames();
      Set<String> outputs = session.getOutputNames();
      boolean qa = inputs.contains(QaGraph.INPUT_IDS) && inputs.contains(QaGraph.ATTENTION_MASK)
          && outputs.contains(QaGraph.START) && outputs.contains(QaGraph.END)
          && inputs.stream().allMatch(n -> Set.of(QaGraph.INPUT_IDS, QaGraph.ATTENTION_MASK, QaGraph.TOKEN_TYPE_IDS)
              .contains(n));
      if (!qa || !int64Matrices(session.getInputInfo())) {
        throw new UsageException(file + " is not a BERT-family question-answering graph: its inputs are " + inputs
            + " and its outputs " + outputs + "; expected int64 [batch, sequence] inputs " + QaGraph.INPUT_IDS + ", "
            + QaGraph.ATTENTION_MASK + " (and " + QaGraph.TOKEN_TYPE_IDS + ") and outputs " + QaGraph.START + ", "
            + QaGraph.END + ", as export-onnx writes them");
      }
      Map<String, String> meta = session.getMetadata().getCustomMetadata();
      boolean types = inputs.contains(QaGraph.TOKEN_TYPE_IDS);
      Limits limits = new Limits(limit(meta, QaGraph.MAX_LENGTH), limit(meta, QaGraph.VOCAB_SIZE),
          types ? limit(meta, QaGraph.TYPE_VOCAB_SIZE) : 1);
      return new OnnxQaSession(file, env, session, types, limits);
    } catch (OrtException | RuntimeException e) {
      close(session);
      throw e instanceof UsageException u ? u : new UsageException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * ONNX Runtime's environment, created the first time on a thread with a large stack. While creating it, ONNX
   * Runtime 1.29 for Linux (its telemetry SDK) reads the process's command line from /proc/self/cmdline and matches
   * it with a std::regex whose matcher recurses once per character: a {@code java} command line over about 4 KB
   * overflows a Java thread's 1 MB stack, and the JVM dies of SIGSEGV without a word (seen under gdb: one
   * three-function cycle in libonnxruntime.so, thousands deep). Spark's executors are started with such command
   * lines (classpath, its --add-opens list and ours, -D settings). Once created, the environment is shared and
   * later calls on any thread only return it.
   */
  static synchronized OrtEnvironment environment() {
    if (!environmentCreated) {
      Throwable[] failure = new Throwable[1];
      Thread create = new Thread(null, () -> {
        try {
          OrtEnvironment.getEnvironment();
        } catch (Throwable e) {
          failure[0] = e;
        }
      }, "onnxruntime-environment", ENVIRONMENT_STACK);
      create.start();
      try {
        create.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while ONNX Runtime's environment was created", e);
      }
      if (failure[0] != null) {
        throw new IllegalStateException("cannot create ONNX Runtime's environment: " + failure[0], failure[0]);
      }
      environmentCreated = true;
    }
    return OrtEnvironment.getEnvironment();
  }

  /** A limit the graph's metadata records, or none (a graph from elsewhere). */
  private static int limit(Map<String, String> meta, String key) {
    return meta.containsKey(key) ? Integer.parseInt(meta.get(key)) : Integer.MAX_VALUE;
  }

  private static boolean int64Matrices(Map<String, NodeInfo> inputs) {
    return inputs.values().stream().allMatch(i -> i.getInfo() instanceof TensorInfo t
        && t.type == OnnxJavaType.INT64 && t.getShape().length == 2);
  }

  public Path file() {
    return file;
  }

  /** Whether the graph takes {@value QaGraph#TOKEN_TYPE_IDS} (BERT) or not (DistilBERT, RoBERTa). */
  public boolean takesTokenTypes() {
    return takesTokenTypes;
  }

  /** The model's custom metadata (metadata_props). */
  public Map<String, String> metadata() {
    try {
      return session.getMetadata().getCustomMetadata();
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": cannot read its metadata", e);
    }
  }

  /** Logits for each window; {@code inputIds.get(i)} and {@code tokenTypeIds.get(i)} have the same length. */
  @Override
  public Limits limits() {
    return limits;
  }

  @Override
  public List<QaScorer.Logits> score(List<int[]> inputIds, List<int[]> tokenTypeIds, QaScorer.Options options) {
    QaScorer.Logits[] out = new QaScorer.Logits[inputIds.size()];
    for (int[] batch : options.batches(inputIds)) {
      int length = options.padTo();
      for (int r : batch) {
        length = Math.max(length, inputIds.get(r).length);
      }
      long[] shape = {batch.length, length};
      LongBuffer ids = LongBuffer.allocate(batch.length * length);
      LongBuffer mask = LongBuffer.allocate(batch.length * length);
      LongBuffer types = LongBuffer.allocate(batch.length * length);
      for (int r = 0; r < batch.length; r++) {
        int[] rowIds = inputIds.get(batch[r]);
        int[] rowTypes = tokenTypeIds.get(batch[r]);
        for (int i = 0; i < rowIds.length; i++) {
          ids.put(r * length + i, rowIds[i]);
          mask.put(r * length + i, 1);
          types.put(r * length + i, rowTypes[i]);
        }
      }
      Map<String, OnnxTensor> feed = new HashMap<>();
      try {
        feed.put(QaGraph.INPUT_IDS, OnnxTensor.createTensor(env, ids, shape));
        feed.put(QaGraph.ATTENTION_MASK, OnnxTensor.createTensor(env, mask, shape));
        if (takesTokenTypes) {
          feed.put(QaGraph.TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, types, shape));
        }
        try (OrtSession.Result result = session.run(feed, Set.of(QaGraph.START, QaGraph.END))) {
          FloatBuffer start = ((OnnxTensor) result.get(QaGraph.START).orElseThrow()).getFloatBuffer();
          FloatBuffer end = ((OnnxTensor) result.get(QaGraph.END).orElseThrow()).getFloatBuffer();
          for (int r = 0; r < batch.length; r++) {
            int n = inputIds.get(batch[r]).length;
            float[] s = new float[n];
            float[] e = new float[n];
            start.get(r * length, s);
            end.get(r * length, e);
            out[batch[r]] = new QaScorer.Logits(s, e);
          }
        }
      } catch (OrtException e) {
        throw new IllegalStateException(file + ": ONNX Runtime failed on a batch of " + batch.length + " windows of "
            + length + " tokens: " + e.getMessage(), e);
      } finally {
        feed.values().forEach(OnnxTensor::close);
      }
    }
    return Arrays.asList(out);
  }

  @Override
  public void close() {
    close(session);
  }

  private static void close(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close an ONNX Runtime session", e);
    }
  }
}
