package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tool the model may call: a function with a name, a description and its parameters as a JSON Schema
 * object. Immutable.
 *
 * <p>Wire form: {@code {"type": "function", "function": {"name", "description", "parameters", "strict"}}}.
 * With {@code strict} the model's arguments follow the schema exactly (OpenAI's Structured Outputs); the
 * schema must then list every property in {@code required} and set {@code additionalProperties: false}.
 */
public final class Tool {
  /** OpenAI's rule for function names: letters, digits, underscores and dashes, at most 64. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final String name;
  private final String description;
  private final JsonNode parameters;
  private final boolean strict;

  private Tool(String name, String description, JsonNode parameters, boolean strict) {
    this.name = name;
    this.description = description;
    this.parameters = parameters;
    this.strict = strict;
  }

  /**
   * Returns a function tool.
   *
   * @param name letters, digits, {@code _} and {@code -}, 1 to 64 of them
   * @param description what the function does and when to call it; may be null
   * @param parameters a JSON Schema object such as {@code {"type":"object","properties":{...}}}
   * @param strict whether the arguments must follow the schema exactly
   */
  public static Tool function(String name, String description, JsonNode parameters, boolean strict) {
    Objects.requireNonNull(name, "name == null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "function name must be 1-64 letters, digits, '_' or '-': \"" + name + "\"");
    }
    Objects.requireNonNull(parameters, "parameters == null");
    if (!parameters.isObject()) {
      throw new IllegalArgumentException(
          "parameters is not a JSON Schema object: " + Excerpts.abbreviate(parameters.toString()));
    }
    return new Tool(name, description, parameters.deepCopy(), strict);
  }

  /** Returns a function tool whose schema is given as a map (serialized with Jackson). */
  public static Tool function(String name, String description, Map<String, ?> parameters, boolean strict) {
    Objects.requireNonNull(parameters, "parameters == null");
    return function(name, description, Json.valueToTree(parameters), strict);
  }

  /** Returns a function tool without strict schema adherence. */
  public static Tool function(String name, String description, JsonNode parameters) {
    return function(name, description, parameters, false);
  }

  /** Returns the function's name. */
  public String name() {
    return name;
  }

  /** Returns the function's description, when it has one. */
  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Returns (a copy of) the JSON Schema of the parameters. */
  public JsonNode parameters() {
    return parameters.deepCopy();
  }

  /** Returns whether the arguments must follow the schema exactly. */
  public boolean strict() {
    return strict;
  }

  @JsonValue
  JsonNode toJson() {
    ObjectNode node = Json.objectNode();
    node.put("type", "function");
    ObjectNode function = node.putObject("function");
    function.put("name", name);
    if (description != null) {
      function.put("description", description);
    }
    function.set("parameters", parameters.deepCopy());
    if (strict) {
      function.put("strict", true);
    }
    return node;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tool t && name.equals(t.name) && Objects.equals(description, t.description)
        && parameters.equals(t.parameters) && strict == t.strict;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, description, parameters, strict);
  }

  @Override
  public String toString() {
    return "Tool{function=" + name + (strict ? ", strict" : "") + '}';
  }
}
