package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.internal.Json;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether and which tool the model must call: {@link #none()}, {@link #auto()}, {@link #required()} or one
 * named function ({@link #function(String)}). Immutable.
 *
 * <p>Wire form: {@code "none"}, {@code "auto"}, {@code "required"}, or
 * {@code {"type": "function", "function": {"name": "..."}}}.
 */
public final class ToolChoice {
  /** What the choice asks of the model. */
  public enum Mode {
    /** The model must not call a tool. */
    NONE,
    /** The model decides (OpenAI's default when tools are given). */
    AUTO,
    /** The model must call at least one tool. */
    REQUIRED,
    /** The model must call the one named function. */
    FUNCTION
  }

  private static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
  private static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
  private static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

  private final Mode mode;
  private final String functionName;

  private ToolChoice(Mode mode, String functionName) {
    this.mode = mode;
    this.functionName = functionName;
  }

  /** The model must not call a tool. */
  public static ToolChoice none() {
    return NONE;
  }

  /** The model decides whether to call tools. */
  public static ToolChoice auto() {
    return AUTO;
  }

  /** The model must call one or more tools. */
  public static ToolChoice required() {
    return REQUIRED;
  }

  /** The model must call the function {@code name}, which must be one of the request's tools. */
  public static ToolChoice function(String name) {
    Objects.requireNonNull(name, "name == null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("function name is blank: \"" + name + "\"");
    }
    return new ToolChoice(Mode.FUNCTION, name);
  }

  /** Returns what the choice asks of the model. */
  public Mode mode() {
    return mode;
  }

  /** Returns the function's name for {@link Mode#FUNCTION}. */
  public Optional<String> functionName() {
    return Optional.ofNullable(functionName);
  }

  @JsonValue
  JsonNode toJson() {
    switch (mode) {
      case NONE:
        return TextNode.valueOf("none");
      case AUTO:
        return TextNode.valueOf("auto");
      case REQUIRED:
        return TextNode.valueOf("required");
      default:
        ObjectNode node = Json.objectNode();
        node.put("type", "function");
        node.putObject("function").put("name", functionName);
        return node;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolChoice c && mode == c.mode && Objects.equals(functionName, c.functionName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, functionName);
  }

  @Override
  public String toString() {
    return mode == Mode.FUNCTION ? "function(" + functionName + ")" : mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
