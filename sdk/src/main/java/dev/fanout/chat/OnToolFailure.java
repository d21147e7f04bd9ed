package dev.fanout.chat;

/** What an {@link Agent} does when one of its tool calls fails (throws, fails its future, or names no tool). */
public enum OnToolFailure {
  /**
   * The failure becomes the call's result, {@code {"error": "<type>: <message>"}}, and the model reads it
   * like any other result (it may retry, try another tool or answer without it). The other calls of the
   * step run on.
   */
  REPORT_TO_MODEL,
  /**
   * The run fails at once with {@link dev.fanout.errors.ToolFailedException}, whose cause is the tool's
   * failure; the step's other calls still running are cancelled.
   */
  FAIL_RUN
}
