package io.qadistill.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qadistill.common.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Model directories: save → load is bit-identical, and each broken directory gives its documented error. */
class ModelDirectoryTest {
  private static final ModelConfig TINY = ModelConfig.bert(40, 8, 2, 2, 16, 32, 2);
  private static final byte[] TOKENIZER = "{\"version\": \"1.0\", \"model\": {\"type\": \"WordPiece\"}}"
      .getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  @Test
  void saveThenLoadIsBitIdentical() throws IOException {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    Map<String, Safetensors.Tensor> saved;
    try (QaModel model = QaModel.initialize(TINY, TOKENIZER, 3)) {
      // values whose bits a float → double → float or text round trip would change
      model.set("bert.embeddings.LayerNorm.bias",
          new float[] {-0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-38f, 0.1f, -1 / 3f, Float.MIN_NORMAL, 7e-45f});
      saved = model.stateDict();
      ModelDirectory.save(model, first);
    }
    try (QaModel loaded = ModelDirectory.load(first)) {
      assertThat(loaded.config()).isEqualTo(TINY);
      assertThat(loaded.tokenizerJson()).isEqualTo(TOKENIZER);
      assertBitIdentical(loaded.stateDict(), saved);
      ModelDirectory.save(loaded, second);
    }
    for (String file : List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS, ModelDirectory.TOKENIZER)) {
      assertThat(Files.readAllBytes(second.resolve(file))).as(file + " saved again")
          .isEqualTo(Files.readAllBytes(first.resolve(file)));
    }
    Path plain = Files.write(tmp.resolve("plain"), new byte[1]); // what the umask gives a new file
    for (String file : List.of(ModelDirectory.CONFIG, ModelDirectory.WEIGHTS, ModelDirectory.TOKENIZER)) {
      assertThat(Files.getPosixFilePermissions(first.resolve(file))).as(file + "'s permissions")
          .isEqualTo(Files.getPosixFilePermissions(plain));
    }
    try (var files = Files.list(first)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary files left").containsExactlyInAnyOrder("config.json", "model.safetensors", "tokenizer.json");
    }
  }

  /**
   * Every family: save → load gives the same config and bit-identical tensors under the family's transformers names,
   * and a missing, an extra or a mis-shaped tensor is named.
   */
  @ParameterizedTest
  @ValueSource(strings = {"bert", "distilbert", "roberta", "xlm-roberta"})
  void eachFamilySavesAndLoadsBitIdenticallyAndNamesABrokenTensor(String modelType) throws IOException {
    ModelConfig config = modelType.equals("bert") ? TINY : modelType.equals("distilbert") ? TINY.as("distilbert")
        : new ModelConfig(modelType, 40, 8, 2, 2, 16, "gelu", 0.1, 0.1, 34, 1, 1e-5, 0.02, 1);
    Path dir = tmp.resolve(modelType);
    Map<String, Safetensors.Tensor> saved;
    try (QaModel model = QaModel.initialize(config, TOKENIZER, 3)) {
      saved = model.stateDict();
      model.save(dir);
    }
    String layerName = switch (modelType) {
      case "distilbert" -> "distilbert.transformer.layer.1.ffn.lin1.weight";
      case "bert" -> "bert.encoder.layer.1.intermediate.dense.weight";
      default -> "roberta.encoder.layer.1.intermediate.dense.weight";
    };
    assertThat(saved).containsKey(layerName).containsKey("qa_outputs.weight");
    assertThat(Files.readString(dir.resolve(ModelDirectory.CONFIG))).contains("\"model_type\" : \"" + modelType + "\"");
    try (QaModel loaded = QaModel.load(dir)) {
      assertThat(loaded.config()).isEqualTo(config);
      assertBitIdentical(loaded.stateDict(), saved);
    }
    Map<String, Safetensors.Tensor> broken = new LinkedHashMap<>(saved);
    broken.remove(layerName);
    Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), broken);
    assertThatThrownBy(() -> QaModel.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("missing tensor " + layerName);
    broken.put(layerName, new Safetensors.Tensor(new long[] {8, 16}, new float[128]));
    Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), broken);
    assertThatThrownBy(() -> QaModel.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("tensor " + layerName + " has shape [8, 16], config.json implies [16, 8]");
    String extra = layerName.replace(".1.", ".2.");
    broken.put(layerName, saved.get(layerName));
    broken.put(extra, saved.get(layerName));
    Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), broken);
    assertThatThrownBy(() -> QaModel.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("unexpected tensor " + extra).hasMessageContaining("with 2 layers");
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    Path dir = saved("missing", t -> t.remove("bert.encoder.layer.1.attention.self.key.bias"));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("missing tensor bert.encoder.layer.1.attention.self.key.bias");
  }

  @Test
  void misShapedTensorIsNamedWithBothShapes() throws IOException {
    Path dir = saved("misshaped", t -> t.put("bert.encoder.layer.0.intermediate.dense.weight",
        new Safetensors.Tensor(new long[] {8, 16}, new float[128])));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("tensor bert.encoder.layer.0.intermediate.dense.weight has shape [8, 16]")
        .hasMessageContaining("config.json implies [16, 8]");
  }

  @Test
  void extraTensorIsNamed() throws IOException {
    // a third layer in a file whose config.json says two
    Path dir = saved("extra", t -> t.put("bert.encoder.layer.2.output.dense.bias",
        new Safetensors.Tensor(new long[] {8}, new float[8])));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("unexpected tensor bert.encoder.layer.2.output.dense.bias")
        .hasMessageContaining("2 layers");
  }

  @Test
  void integerTensorUnderAParameterNameIsNamed() throws IOException {
    Path dir = saved("integer", t -> { });
    // rewrite qa_outputs.bias's dtype: same byte count (2 × 4 bytes), so only the dtype is wrong
    Path weights = dir.resolve(ModelDirectory.WEIGHTS);
    byte[] raw = Files.readAllBytes(weights);
    String all = new String(raw, StandardCharsets.ISO_8859_1);
    int at = all.indexOf("\"qa_outputs.bias\":{\"dtype\":\"F32\"");
    assertThat(at).isPositive();
    raw[all.indexOf("F32", at)] = 'I';
    Files.write(weights, raw);
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining("tensor qa_outputs.bias is an integer tensor");
  }

  @Test
  void pickleCheckpointIsRefusedWithTheConversion() throws IOException {
    Path dir = saved("pickle", t -> { });
    Files.delete(dir.resolve(ModelDirectory.WEIGHTS));
    // not even a valid pickle: the message must come from the file's name alone, never from reading it
    Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 'c', 'o', 's', '\n'});
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining(dir.resolve("pytorch_model.bin") + " is a pickle checkpoint, which is never loaded")
        .hasMessageContaining("save_pretrained(dir, safe_serialization=True)")
        .hasMessageContaining("safetensors.torch.save_file");
  }

  @Test
  void safetensorsWinsOverAPickleBesideIt() throws IOException {
    Path dir = saved("both", t -> { });
    Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});
    try (QaModel model = ModelDirectory.load(dir)) {
      assertThat(model.config()).isEqualTo(TINY);
    }
  }

  @Test
  void brokenConfigJsonIsNamed() throws IOException {
    Path dir = saved("config", t -> { });
    Path config = dir.resolve(ModelDirectory.CONFIG);
    String good = Files.readString(config);

    Files.writeString(config, good.substring(0, good.length() / 2));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining(config + ": cannot read config.json");

    Files.writeString(config, "[1, 2]");
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessage(config + ": config.json is not a JSON object");

    Files.writeString(config, good.replaceAll("\"num_hidden_layers\" : 2,", ""));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessage(config + ": config.json lacks \"num_hidden_layers\"");

    Files.writeString(config, good.replace("\"num_attention_heads\" : 2", "\"num_attention_heads\" : 3"));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining(config + ": bad config.json")
        .hasMessageContaining("hidden_size 8 is not a multiple of num_attention_heads 3");

    Files.writeString(config, good.replace("\"hidden_size\" : 8", "\"hidden_size\" : \"eight\""));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessageContaining(config + ": bad config.json")
        .hasMessageContaining("eight");

    Files.writeString(config, good.replace("\"model_type\" : \"bert\"", "\"model_type\" : \"gpt2\""));
    assertThatThrownBy(() -> ModelDirectory.load(dir)).isInstanceOf(UsageException.class)
        .hasMessage(config + ": model_type is \"gpt2\"; the supported ones are [bert, distilbert, roberta, "
            + "xlm-roberta]");
  }

  @Test
  void missingFilesAreNamed() throws IOException {
    assertThatThrownBy(() -> ModelDirectory.load(tmp.resolve("nowhere"))).isInstanceOf(UsageException.class)
        .hasMessageContaining("nowhere is not a model directory");
    Path noTokenizer = saved("no-tokenizer", t -> { });
    Files.delete(noTokenizer.resolve(ModelDirectory.TOKENIZER));
    assertThatThrownBy(() -> ModelDirectory.load(noTokenizer)).isInstanceOf(UsageException.class)
        .hasMessageContaining("has no tokenizer.json");
    Path noConfig = saved("no-config", t -> { });
    Files.delete(noConfig.resolve(ModelDirectory.CONFIG));
    assertThatThrownBy(() -> ModelDirectory.load(noConfig)).isInstanceOf(UsageException.class)
        .hasMessageContaining("has no config.json");
    Path truncated = saved("truncated", t -> { });
    Path weights = truncated.resolve(ModelDirectory.WEIGHTS);
    byte[] raw = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(raw, raw.length - 4));
    assertThatThrownBy(() -> ModelDirectory.load(truncated)).isInstanceOf(UsageException.class)
        .hasMessageContaining(weights.toString())
        .hasMessageContaining("qa_outputs.bias");
  }

  @Test
  void absentHeadIsInitialisedFromTheSeedAndLogged() throws IOException {
    Map<String, Safetensors.Tensor> original = new LinkedHashMap<>();
    Path dir = saved("no-head", t -> {
      original.putAll(t);
      t.remove(Family.QA_WEIGHT);
      t.remove(Family.QA_BIAS);
    });
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Logger logger = (Logger) LogManager.getLogger(ModelDirectory.class);
    AbstractAppender appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        log.add(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    logger.addAppender(appender);
    float[] head;
    try (QaModel a = ModelDirectory.load(dir, 5); QaModel b = ModelDirectory.load(dir, 5);
         QaModel c = ModelDirectory.load(dir, 6)) {
      head = a.get(Family.QA_WEIGHT);
      assertThat(b.get(Family.QA_WEIGHT)).as("same seed, same head").isEqualTo(head);
      assertThat(c.get(Family.QA_WEIGHT)).as("other seed, other head").isNotEqualTo(head);
      assertThat(a.get(Family.QA_BIAS)).containsExactly(0f, 0f);
      assertThat(a.get("bert.encoder.layer.1.output.dense.weight"))
          .as("the encoder is the file's").isEqualTo(original.get("bert.encoder.layer.1.output.dense.weight").data());
    } finally {
      logger.removeAppender(appender);
      appender.stop();
    }
    double sumSquares = 0;
    for (float v : head) {
      sumSquares += v * v;
    }
    // normal(0, 0.02) over 16 values: the RMS lies well within [0.005, 0.06]
    assertThat(Math.sqrt(sumSquares / head.length)).isBetween(0.005, 0.06);
    assertThat(log).anySatisfy(line -> assertThat(line)
        .contains(dir.resolve(ModelDirectory.WEIGHTS).toString())
        .contains("no question-answering head; initialised [qa_outputs.weight, qa_outputs.bias] from seed 5"));
  }

  /** A saved tiny model whose tensors {@code edit} changed before they were written. */
  private Path saved(String name, java.util.function.Consumer<Map<String, Safetensors.Tensor>> edit)
      throws IOException {
    Path dir = tmp.resolve(name);
    try (QaModel model = QaModel.initialize(TINY, TOKENIZER, 1)) {
      ModelDirectory.save(model, dir);
      Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(model.stateDict());
      edit.accept(tensors);
      Safetensors.write(dir.resolve(ModelDirectory.WEIGHTS), tensors);
    }
    return dir;
  }

  private static void assertBitIdentical(Map<String, Safetensors.Tensor> back, Map<String, Safetensors.Tensor> saved) {
    assertThat(back.keySet()).containsExactlyElementsOf(saved.keySet());
    for (String name : saved.keySet()) {
      assertThat(back.get(name).shape()).as(name).isEqualTo(saved.get(name).shape());
      assertThat(bits(back.get(name).data())).as(name).isEqualTo(bits(saved.get(name).data()));
    }
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }
}
