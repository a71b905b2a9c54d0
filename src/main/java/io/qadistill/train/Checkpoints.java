package io.qadistill.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qadistill.common.UsageException;
import io.qadistill.model.ModelDirectory;
import io.qadistill.model.QaModel;
import io.qadistill.model.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoints in the output directory, as transformers' Trainer lays them out: {@code OUT/checkpoint-<step>/}
 * holding a model directory (config.json, model.safetensors, tokenizer.json: {@code predict} takes it as it is),
 * {@code optimizer.safetensors} (AdamW's first and second moments per parameter, {@code exp_avg.<name>} and
 * {@code exp_avg_sq.<name>}) and {@code trainer_state.json} (the step, the data position and what the run must
 * keep to continue). A checkpoint is written under a hidden name and renamed when complete, so a run killed while
 * writing one leaves the previous one intact.
 */
public final class Checkpoints {
  public static final String PREFIX = "checkpoint-";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "trainer_state.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What a run must have in common with the one that wrote a checkpoint to continue it: the inputs, the loss,
   * the optimizer, the batching and the data layout (partitions and their rows), and the schedule's length.
   */
  public record RunKey(
      @JsonProperty("features") String features,
      @JsonProperty("logits") String logits,
      @JsonProperty("teacher") String teacher,
      @JsonProperty("loss") DistillLoss loss,
      @JsonProperty("optimization") Optimization optimization,
      @JsonProperty("batch_size") int batchSize,
      @JsonProperty("seed") long seed,
      @JsonProperty("partition_rows") List<Long> partitionRows,
      @JsonProperty("total_steps") long totalSteps,
      @JsonProperty("length_groups") int lengthGroups,
      @JsonProperty("local_steps") int localSteps) {}

  /**
   * trainer_state.json.
   *
   * @param step steps done
   * @param rowsTaken the data position: rows each partition has taken (step × batch size; its epoch is
   *     rowsTaken / partition rows, and {@link BatchPlan} gives the next rows from the step alone)
   * @param epoch epochs done, over all windows
   */
  public record State(
      @JsonProperty("step") long step,
      @JsonProperty("rows_taken_per_partition") long rowsTaken,
      @JsonProperty("epoch") double epoch,
      @JsonProperty("run") RunKey run) {}

  /** A checkpoint read back: the model (the caller closes it), AdamW's moments and the state. */
  public record Loaded(QaModel model, float[] firstMoments, float[] secondMoments, State state) {}

  private Checkpoints() {}

  /**
   * Writes checkpoint {@code state.step()} of {@code model} (whose parameters are the run's now) and the
   * optimizer, then deletes all but the newest {@code keep}. Returns its directory.
   */
  public static Path write(Path out, QaModel model, ParameterLayout layout, AdamW adam, State state, int keep) {
    Path dir = out.resolve(PREFIX + state.step());
    Path part = out.resolve("." + PREFIX + state.step() + ".part");
    try {
      deleteTree(part);
      ModelDirectory.save(model, part);
      Map<String, Safetensors.Tensor> moments = new LinkedHashMap<>();
      for (int i = 0; i < layout.count(); i++) {
        long[] shape = model.shapes().get(layout.name(i));
        moments.put("exp_avg." + layout.name(i), new Safetensors.Tensor(shape, slice(adam.firstMoments(), layout, i)));
        moments.put("exp_avg_sq." + layout.name(i),
            new Safetensors.Tensor(shape, slice(adam.secondMoments(), layout, i)));
      }
      Safetensors.write(part.resolve(OPTIMIZER), moments);
      JSON.writeValue(part.resolve(STATE).toFile(), state);
      deleteTree(dir);
      Files.move(part, dir, StandardCopyOption.ATOMIC_MOVE);
      List<Path> all = list(out);
      for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
        deleteTree(old);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + dir, e);
    }
  }

  /** The complete checkpoints in {@code out}, oldest first. */
  public static List<Path> list(Path out) {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(out)) {
      return files.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
          .filter(p -> Files.isRegularFile(p.resolve(STATE)))
          .sorted(Comparator.comparingLong(Checkpoints::step))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + out, e);
    }
  }

  /** The newest complete checkpoint in {@code out}. */
  public static Optional<Path> latest(Path out) {
    List<Path> all = list(out);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Reads a checkpoint for a run whose {@link RunKey} is {@code expected}; a checkpoint of another run (other
   * inputs, settings or partitions) is a {@link UsageException} naming what differs.
   */
  public static Loaded read(Path dir, RunKey expected) {
    State state;
    try {
      state = JSON.readValue(dir.resolve(STATE).toFile(), State.class);
    } catch (IOException e) {
      throw new UsageException("cannot read " + dir.resolve(STATE) + ": " + e.getMessage(), e);
    }
    List<String> differences = differences(JSON.valueToTree(expected), JSON.valueToTree(state.run()));
    if (!differences.isEmpty()) {
      throw new UsageException(dir + " is a checkpoint of another run; these differ (now vs then): "
          + String.join("; ", differences) + ". Resume with the same inputs, settings and --partitions, or write to "
          + "another --out");
    }
    QaModel model = ModelDirectory.load(dir);
    try {
      ParameterLayout layout = new ParameterLayout(model);
      Map<String, Safetensors.Tensor> moments = Safetensors.read(dir.resolve(OPTIMIZER));
      float[] m = new float[layout.size()];
      float[] v = new float[layout.size()];
      for (int i = 0; i < layout.count(); i++) {
        fill(moments, "exp_avg." + layout.name(i), m, layout, i, dir);
        fill(moments, "exp_avg_sq." + layout.name(i), v, layout, i, dir);
      }
      return new Loaded(model, m, v, state);
    } catch (IOException | RuntimeException e) {
      model.close();
      if (e instanceof UsageException u) {
        throw u;
      }
      throw new UsageException("cannot read the optimizer state of " + dir + ": " + e.getMessage(), e);
    }
  }

  private static List<String> differences(JsonNode now, JsonNode then) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!now.get(key).equals(then.get(key))) {
        out.add(key + " " + now.get(key) + " vs " + then.get(key));
      }
    }
    return out;
  }

  private static void fill(Map<String, Safetensors.Tensor> tensors, String name, float[] into, ParameterLayout layout,
                           int i, Path dir) {
    Safetensors.Tensor t = tensors.get(name);
    if (t == null || t.data().length != layout.length(i)) {
      throw new UsageException(dir.resolve(OPTIMIZER) + " lacks " + name + " or has it in another shape");
    }
    System.arraycopy(t.data(), 0, into, layout.offset(i), layout.length(i));
  }

  private static float[] slice(float[] values, ParameterLayout layout, int i) {
    float[] out = new float[layout.length(i)];
    System.arraycopy(values, layout.offset(i), out, 0, out.length);
    return out;
  }

  private static long step(Path checkpoint) {
    return Long.parseLong(checkpoint.getFileName().toString().substring(PREFIX.length()));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
