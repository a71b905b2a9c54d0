package io.qadistill.squad;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to a JSON record's fields, rejecting what is missing or of the wrong type as the checks word it. */
final class JsonFields {
  private JsonFields() {}

  /** The string at {@code field}, called {@code name} in messages. */
  static String text(JsonNode node, String field, String name) throws Reject {
    return text(required(node, field, name), name);
  }

  /** {@code value} as a string, called {@code name} in messages. */
  static String text(JsonNode value, String name) throws Reject {
    if (!value.isTextual()) {
      throw new Reject(Reason.WRONG_TYPE, name + " is " + type(value) + ", expected a string");
    }
    return value.textValue();
  }

  /** A non-empty id: an empty one could never be told apart from another. */
  static String id(JsonNode node, String field) throws Reject {
    String id = text(node, field, field);
    if (id.isEmpty()) {
      throw new Reject(Reason.MISSING_FIELD, field + " is empty");
    }
    return id;
  }

  /** {@code value} as a 32-bit integer (an answer_start), called {@code name} in messages. */
  static int int32(JsonNode value, String name) throws Reject {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new Reject(Reason.WRONG_TYPE, name + " is " + type(value) + ", expected a 32-bit integer");
    }
    return value.intValue();
  }

  /** The field's value; absent and JSON null both count as missing. */
  static JsonNode required(JsonNode node, String field, String name) throws Reject {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new Reject(Reason.MISSING_FIELD, name + " is missing");
    }
    return value;
  }

  /** The list's item {@code index}; beyond its end, null and absent all count as missing. */
  static JsonNode required(JsonNode list, int index, String name) throws Reject {
    JsonNode value = list.get(index);
    if (value == null || value.isNull()) {
      throw new Reject(Reason.MISSING_FIELD, name + " is missing");
    }
    return value;
  }

  /** is_impossible's value at {@code field}: null when absent or JSON null. */
  static Boolean flag(JsonNode node, String field) throws Reject {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      throw new Reject(Reason.WRONG_TYPE, field + " is " + type(value) + ", expected a boolean");
    }
    return value.booleanValue();
  }

  /** The id when the record has a string id, for the quarantine row; null otherwise. */
  static String idOf(JsonNode record, String field) {
    JsonNode id = record.isObject() ? record.get(field) : null;
    return id != null && id.isTextual() ? id.textValue() : null;
  }

  static String type(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case NUMBER -> "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }
}
