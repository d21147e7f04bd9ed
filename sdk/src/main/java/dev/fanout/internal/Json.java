package dev.fanout.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The SDK's Jackson mapper: unknown properties ignored, nulls not written. Thread-safe. The mapper itself is
 * package-private, so nothing outside this package can reconfigure it; the API packages use the read-only
 * operations below (and {@code dev.fanout.internal} is not exported by the module).
 */
public final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private Json() {}

  /** Returns a new, empty JSON object node. */
  public static ObjectNode objectNode() {
    return MAPPER.createObjectNode();
  }

  /** Converts {@code value} (a map, a record, a {@link JsonNode}) into a tree, as Jackson would serialize it. */
  public static JsonNode valueToTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** Parses {@code text} into a tree. */
  public static JsonNode readTree(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /** Binds {@code tree} to {@code type}. */
  public static <T> T treeToValue(JsonNode tree, Class<T> type) throws JsonProcessingException {
    return MAPPER.treeToValue(tree, type);
  }
}
