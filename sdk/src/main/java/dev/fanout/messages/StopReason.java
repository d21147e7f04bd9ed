package dev.fanout.messages;

/** Why the model stopped ({@code stop_reason}). */
public enum StopReason {
  /** {@code end_turn}: the model finished its answer. */
  END_TURN,
  /** {@code max_tokens}: the answer reached the request's {@code max_tokens}. */
  MAX_TOKENS,
  /** {@code stop_sequence}: the model wrote one of the request's stop sequences. */
  STOP_SEQUENCE,
  /** {@code tool_use}: the model is using tools; answer with their results. */
  TOOL_USE,
  /** {@code pause_turn}: a long-running turn was paused; send the answer back to continue it. */
  PAUSE_TURN,
  /** {@code refusal}: the model declined to answer. */
  REFUSAL,
  /** {@code model_context_window_exceeded}: the answer filled the model's context window before {@code max_tokens}. */
  MODEL_CONTEXT_WINDOW_EXCEEDED,
  /** A reason this SDK does not know, or none. */
  OTHER;

  /** Returns the reason named {@code wire} ({@code end_turn}, ...), or {@link #OTHER}. */
  public static StopReason of(String wire) {
    if (wire == null) {
      return OTHER;
    }
    switch (wire) {
      case "end_turn": return END_TURN;
      case "max_tokens": return MAX_TOKENS;
      case "stop_sequence": return STOP_SEQUENCE;
      case "tool_use": return TOOL_USE;
      case "pause_turn": return PAUSE_TURN;
      case "refusal": return REFUSAL;
      case "model_context_window_exceeded": return MODEL_CONTEXT_WINDOW_EXCEEDED;
      default: return OTHER;
    }
  }
}
