package dev.fanout.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Reads an error body as JSON for the accessors that look into it. */
final class ErrorBodies {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ErrorBodies() {}

  /** Returns {@code body} as a JSON tree, or a missing node when it is empty or not JSON. */
  static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      return n == null ? MissingNode.getInstance() : n;
    } catch (JsonProcessingException notJson) {
      return MissingNode.getInstance();
    }
  }
}
