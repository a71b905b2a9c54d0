package io.qadistill.model;

import io.qadistill.common.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The supported families by {@code model_type}, as transformers' {@code AutoModelForQuestionAnswering} maps them. */
final class Families {
  private static final Map<String, Family> BY_TYPE = new LinkedHashMap<>();

  static {
    for (Family f : List.of(new BertFamily(), new DistilBertFamily(), new RobertaFamily())) {
      f.modelTypes().forEach(t -> BY_TYPE.put(t, f));
    }
  }

  private Families() {}

  static boolean supports(String modelType) {
    return BY_TYPE.containsKey(modelType);
  }

  static Family of(String modelType) {
    Family f = BY_TYPE.get(modelType);
    if (f == null) {
      throw new UsageException("model type \"" + modelType + "\" is not supported; the supported ones are "
          + modelTypes());
    }
    return f;
  }

  static List<String> modelTypes() {
    return new ArrayList<>(BY_TYPE.keySet());
  }
}
