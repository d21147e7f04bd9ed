package dev.fanout.errors;

import java.util.Objects;

/**
 * A tool called by an agent failed, and the agent was told to fail its run rather than report the failure
 * to the model. The cause is what the tool threw or failed its future with.
 */
public final class ToolFailedException extends FanoutException {
  private final String toolName;
  private final String toolCallId;

  public ToolFailedException(String toolName, String toolCallId, Throwable cause) {
    super("tool " + toolName + " (" + toolCallId + ") failed: " + cause, cause);
    this.toolName = Objects.requireNonNull(toolName, "toolName == null");
    this.toolCallId = Objects.requireNonNull(toolCallId, "toolCallId == null");
  }

  /** Returns the name of the tool that failed. */
  public String toolName() {
    return toolName;
  }

  /** Returns the id of the model's tool call that failed. */
  public String toolCallId() {
    return toolCallId;
  }
}
