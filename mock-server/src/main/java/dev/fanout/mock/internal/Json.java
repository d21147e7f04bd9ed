package dev.fanout.mock.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one {@link ObjectMapper} of the mock server, and small helpers around it. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static byte[] bytes(Object tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code tree} as compact JSON text. */
  public static String bytesToString(Object tree) {
    return new String(bytes(tree), java.nio.charset.StandardCharsets.UTF_8);
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Parses {@code body} or returns null if it is not JSON. */
  public static JsonNode parseOrNull(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }
}
