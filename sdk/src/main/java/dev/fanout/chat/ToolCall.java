package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.internal.Checks;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.Objects;

/**
 * A function call the model asked for, as an assistant message carries it: an {@code id} to answer with
 * {@link ChatMessage#tool(String, String)}, the function's {@code name} and its {@code arguments}, a JSON
 * text written by the model (which may not be valid JSON, or may not match the schema). Immutable.
 *
 * <p>Wire form: {@code {"id": "call_abc", "type": "function", "function": {"name": "...", "arguments": "{...}"}}}.
 */
public final class ToolCall {
  private final String id;
  private final String type;
  private final String name;
  private final String arguments;

  private ToolCall(String id, String type, String name, String arguments) {
    this.id = id;
    this.type = type;
    this.name = name;
    this.arguments = arguments;
  }

  /**
   * Returns a call of function {@code name} with {@code arguments} (a JSON text), as a model would send it;
   * use it to replay a conversation or in tests.
   */
  public static ToolCall function(String id, String name, String arguments) {
    Objects.requireNonNull(id, "id == null");
    Checks.notBlank(name, "name");
    Objects.requireNonNull(arguments, "arguments == null");
    return new ToolCall(id, "function", name, arguments);
  }

  /** Reads one entry of a message's {@code tool_calls}; {@code where} names it in errors. */
  static ToolCall fromJson(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new dev.fanout.errors.DecodeException(where + " is not an object");
    }
    JsonNode function = Wire.object(node, "function", where);
    String id = Wire.optText(node, "id", where).orElse("");
    String type = Wire.optText(node, "type", where).orElse("function");
    String name = Wire.optText(function, "name", where + ".function").orElse("");
    JsonNode args = function.get("arguments");
    String arguments;
    if (args == null || args.isNull()) {
      arguments = "";
    } else if (args.isTextual()) {
      arguments = args.asText();
    } else {
      arguments = args.toString(); // some OpenAI-compatible servers send the object itself
    }
    return new ToolCall(id, type, name, arguments);
  }

  /** Returns the call's id, which the tool-result message must quote. */
  public String id() {
    return id;
  }

  /** Returns the call's type, {@code function} for every call this SDK describes. */
  public String type() {
    return type;
  }

  /** Returns the name of the function to call. */
  public String name() {
    return name;
  }

  /** Returns the arguments exactly as the model wrote them (a JSON text, possibly invalid). */
  public String arguments() {
    return arguments;
  }

  /**
   * Returns the arguments parsed as JSON.
   *
   * @throws dev.fanout.errors.DecodeException if they are not valid JSON (the message names the call)
   */
  public JsonNode argumentsJson() {
    return Wire.parse(arguments, "arguments of tool call " + id + " (" + name + ")");
  }

  /**
   * Returns the arguments bound to {@code type} with Jackson (unknown properties ignored).
   *
   * @throws dev.fanout.errors.DecodeException if they are not valid JSON or do not fit {@code type}
   */
  public <T> T arguments(Class<T> type) {
    Objects.requireNonNull(type, "type == null");
    return Wire.bind(argumentsJson(), type, "arguments of tool call " + id + " (" + name + ")");
  }

  @JsonValue
  JsonNode toJson() {
    ObjectNode node = Json.objectNode();
    node.put("id", id);
    node.put("type", type);
    ObjectNode function = node.putObject("function");
    function.put("name", name);
    function.put("arguments", arguments);
    return node;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolCall t && id.equals(t.id) && type.equals(t.type) && name.equals(t.name)
        && arguments.equals(t.arguments);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, type, name, arguments);
  }

  @Override
  public String toString() {
    return "ToolCall{id=" + id + ", name=" + name + ", arguments=" + Excerpts.abbreviate(arguments) + '}';
  }
}
