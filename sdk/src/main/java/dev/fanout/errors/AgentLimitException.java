package dev.fanout.errors;

import java.util.Objects;

/**
 * An agent run stopped at one of its limits before the model gave a final answer: too many model calls
 * ({@code maxSteps}) or too many tool calls ({@code maxToolCalls}). The tool calls of the answer that hit
 * the limit are not run; {@link #limit()} says which limit, {@link #value()} its setting.
 */
public final class AgentLimitException extends FanoutException {
  /** Which limit of an agent was reached, by the name of its builder option. */
  public enum Limit {
    /** The agent's {@code maxSteps}: model calls per run. */
    MAX_STEPS("maxSteps"),
    /** The agent's {@code maxToolCalls}: tool calls per run. */
    MAX_TOOL_CALLS("maxToolCalls");

    private final String optionName;

    Limit(String optionName) {
      this.optionName = optionName;
    }

    /** Returns the name of the builder option that sets this limit, such as {@code maxSteps}. */
    public String optionName() {
      return optionName;
    }
  }

  private final Limit limit;
  private final int value;

  public AgentLimitException(String message, Limit limit, int value) {
    super(message);
    this.limit = Objects.requireNonNull(limit, "limit == null");
    this.value = value;
  }

  /** Returns the limit that was reached. */
  public Limit limit() {
    return limit;
  }

  /** Returns the limit's setting, such as 10 for {@code maxSteps(10)}. */
  public int value() {
    return value;
  }
}
