package io.qadistill.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qadistill.common.UsageException;

/** A config.json being read: typed keys with transformers' defaults, and errors that name the file and the key. */
final class ConfigJson {
  private final ObjectNode node;
  private final String file;

  ConfigJson(ObjectNode node, String file) {
    this.node = node;
    this.file = file;
  }

  ObjectNode node() {
    return node;
  }

  /** An integer that must be there: the sizes, which have no sensible default. */
  int required(String key) {
    if (!node.hasNonNull(key)) {
      throw new UsageException(file + ": config.json lacks \"" + key + "\"");
    }
    return integer(key, 0);
  }

  int integer(String key, int otherwise) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw bad(key + " " + v + " is not an integer");
    }
    return v.intValue();
  }

  double number(String key, double otherwise) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isNumber()) {
      throw bad(key + " " + v + " is not a number");
    }
    return v.doubleValue();
  }

  String text(String key, String otherwise) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? otherwise : v.asText();
  }

  boolean bool(String key, boolean otherwise) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? otherwise : v.asBoolean();
  }

  UsageException bad(String why) {
    return new UsageException(file + ": bad config.json: " + why);
  }
}
