package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.internal.Excerpts;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tool the model may use: a name, a description and its input as a JSON Schema object, or a tool given in
 * its wire form ({@link #fromJson}: Anthropic's server tools, a tool with {@code cache_control}). Immutable.
 *
 * <p>Wire form: {@code {"name", "description", "input_schema"}}, or the wire form given.
 */
public final class Tool {
  /** Anthropic's rule for tool names: letters, digits, {@code _} and {@code -}, 1 to 128 of them. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final String name;
  private final String description;
  private final JsonNode inputSchema;
  /** The wire form the tool was given in, sent as it is; null for a tool made by {@link #of}. */
  private final JsonNode wire;

  private Tool(String name, String description, JsonNode inputSchema, JsonNode wire) {
    this.name = name;
    this.description = description;
    this.inputSchema = inputSchema;
    this.wire = wire;
  }

  /**
   * Returns a tool.
   *
   * @param name letters, digits, {@code _} and {@code -}, 1 to 128 of them
   * @param description what the tool does and when to use it; may be null
   * @param inputSchema a JSON Schema object such as {@code {"type":"object","properties":{...}}}
   */
  public static Tool of(String name, String description, JsonNode inputSchema) {
    Objects.requireNonNull(name, "name == null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("tool name must be 1-128 letters, digits, '_' or '-': \"" + name + "\"");
    }
    Objects.requireNonNull(inputSchema, "inputSchema == null");
    if (!inputSchema.isObject() || !"object".equals(inputSchema.path("type").asText())) {
      throw new IllegalArgumentException(
          "inputSchema must be a JSON Schema of type object: " + Excerpts.cut(inputSchema.toString()));
    }
    return new Tool(name, description, inputSchema.deepCopy(), null);
  }

  /**
   * Returns a tool sent exactly as {@code wire}, for what {@link #of} does not make: a server tool such as
   * {@code {"type":"web_search_20250305","name":"web_search","max_uses":5}}, or a tool with
   * {@code cache_control}.
   *
   * @param wire a JSON object with a {@code name} of letters, digits, {@code _} and {@code -}, 1 to 128 of them
   */
  public static Tool fromJson(JsonNode wire) {
    Objects.requireNonNull(wire, "wire == null");
    JsonNode name = wire.get("name");
    if (!wire.isObject() || name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
      throw new IllegalArgumentException("a tool's wire form needs a \"name\" of 1-128 letters, digits, '_' or '-': "
          + Excerpts.cut(wire.toString()));
    }
    JsonNode description = wire.get("description");
    JsonNode schema = wire.get("input_schema");
    return new Tool(name.asText(), description != null && description.isTextual() ? description.asText() : null,
        schema != null && schema.isObject() ? schema.deepCopy() : JsonNodeFactory.instance.objectNode(),
        wire.deepCopy());
  }

  public String name() {
    return name;
  }

  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Returns a copy of the input schema; an empty object for a tool given in wire form without one. */
  public JsonNode inputSchema() {
    return inputSchema.deepCopy();
  }

  /** Returns a copy of the wire form the tool was given in ({@link #fromJson}), sent as it is; empty for {@link #of}. */
  public Optional<JsonNode> wire() {
    return wire == null ? Optional.empty() : Optional.of(wire.deepCopy());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tool t && t.name.equals(name) && Objects.equals(t.description, description)
        && t.inputSchema.equals(inputSchema) && Objects.equals(t.wire, wire);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, description, inputSchema, wire);
  }

  @Override
  public String toString() {
    return "Tool{" + name + '}';
  }
}
