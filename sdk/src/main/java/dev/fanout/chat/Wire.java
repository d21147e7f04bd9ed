package dev.fanout.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.Optional;

/** Reading helpers shared by the chat types' wire (OpenAI JSON) forms. Not public API. */
final class Wire {
  private Wire() {}

  /** Returns the text at {@code field}, or empty when it is absent or {@code null}; fails if it is not a string. */
  static Optional<String> optText(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new DecodeException(
          where + "." + field + " is not a string but " + kind(v) + ": " + Excerpts.abbreviate(v.toString()));
    }
    return Optional.of(v.asText());
  }

  /** Returns the object at {@code field}; fails naming the field if it is absent or not an object. */
  static JsonNode object(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isObject()) {
      throw new DecodeException(where + " has no " + field + " object" + (v == null ? "" : " (" + kind(v) + ")"));
    }
    return v;
  }

  /** Parses {@code text} as JSON, failing with a message that names {@code what} and the parser's complaint. */
  static JsonNode parse(String text, String what) {
    try {
      JsonNode node = Json.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new DecodeException(what + " is not valid JSON: it is empty");
      }
      return node;
    } catch (JacksonException e) {
      throw new DecodeException(what + " is not valid JSON (" + e.getOriginalMessage() + "): " + Excerpts.abbreviate(text), e);
    }
  }

  /** Binds {@code json} to {@code type}, failing with a message naming {@code what} and the type. */
  static <T> T bind(JsonNode json, Class<T> type, String what) {
    try {
      return Json.treeToValue(json, type);
    } catch (JacksonException e) {
      throw new DecodeException(what + " does not match " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(what + " does not match " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  static String kind(JsonNode v) {
    JsonNodeType t = v.getNodeType();
    return t.name().toLowerCase(java.util.Locale.ROOT);
  }
}
