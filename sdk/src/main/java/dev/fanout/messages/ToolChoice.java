package dev.fanout.messages;

import java.util.Objects;
import java.util.Optional;

/**
 * How the model may use the tools offered ({@code tool_choice}): {@link #auto()} (it decides),
 * {@link #any()} (it must use one), {@link #tool(String)} (it must use that one) or {@link #none()};
 * with {@link #disableParallelToolUse()} it uses at most one tool per answer. Immutable.
 */
public final class ToolChoice {
  private final String type;
  private final String name;
  private final boolean disableParallelToolUse;

  private ToolChoice(String type, String name, boolean disableParallelToolUse) {
    this.type = type;
    this.name = name;
    this.disableParallelToolUse = disableParallelToolUse;
  }

  /** The model decides whether to use tools ({@code {"type":"auto"}}). */
  public static ToolChoice auto() {
    return new ToolChoice("auto", null, false);
  }

  /** The model must use one of the tools ({@code {"type":"any"}}). */
  public static ToolChoice any() {
    return new ToolChoice("any", null, false);
  }

  /** The model must not use tools ({@code {"type":"none"}}). */
  public static ToolChoice none() {
    return new ToolChoice("none", null, false);
  }

  /** The model must use tool {@code name} ({@code {"type":"tool","name":...}}). */
  public static ToolChoice tool(String name) {
    Objects.requireNonNull(name, "name == null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("tool name is blank");
    }
    return new ToolChoice("tool", name, false);
  }

  /** Returns this choice with {@code disable_parallel_tool_use: true}: at most one tool use per answer. */
  public ToolChoice disableParallelToolUse() {
    if (type.equals("none")) {
      throw new IllegalStateException("disable_parallel_tool_use does not apply to tool_choice none");
    }
    return new ToolChoice(type, name, true);
  }

  /** Returns {@code auto}, {@code any}, {@code tool} or {@code none}. */
  public String type() {
    return type;
  }

  /** Returns the tool's name for {@code type: tool}. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  public boolean isParallelToolUseDisabled() {
    return disableParallelToolUse;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolChoice c && c.type.equals(type) && Objects.equals(c.name, name)
        && c.disableParallelToolUse == disableParallelToolUse;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, disableParallelToolUse);
  }

  @Override
  public String toString() {
    return "ToolChoice{" + type + (name == null ? "" : " " + name) + (disableParallelToolUse ? ", one at a time" : "") + '}';
  }
}
