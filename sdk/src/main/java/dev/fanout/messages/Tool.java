package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tool the model may use: a name, a description and its input as a JSON Schema object. Immutable.
 *
 * <p>Wire form: {@code {"name", "description", "input_schema"}}.
 */
public final class Tool {
  /** Anthropic's rule for tool names: letters, digits, {@code _} and {@code -}, 1 to 128 of them. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final String name;
  private final String description;
  private final JsonNode inputSchema;

  private Tool(String name, String description, JsonNode inputSchema) {
    this.name = name;
    this.description = description;
    this.inputSchema = inputSchema;
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
      String s = inputSchema.toString();
      throw new IllegalArgumentException("inputSchema must be a JSON Schema of type object: "
          + (s.length() <= 120 ? s : s.substring(0, 120) + "…"));
    }
    return new Tool(name, description, inputSchema.deepCopy());
  }

  public String name() {
    return name;
  }

  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Returns a copy of the input schema. */
  public JsonNode inputSchema() {
    return inputSchema.deepCopy();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tool t && t.name.equals(name) && Objects.equals(t.description, description)
        && t.inputSchema.equals(inputSchema);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, description, inputSchema);
  }

  @Override
  public String toString() {
    return "Tool{" + name + '}';
  }
}
