package dev.fanout.chat;

import java.util.Locale;

/**
 * Why the model stopped writing a choice, as OpenAI's {@code finish_reason} says. A value this SDK does
 * not know (or a missing one) reads as {@link #UNKNOWN}; the server's own string stays available from
 * {@link ChatCompletion.Choice#rawFinishReason()}.
 */
public enum FinishReason {
  /** {@code stop}: a natural end, or a stop sequence. */
  STOP("stop"),
  /** {@code length}: the token limit cut the answer off. */
  LENGTH("length"),
  /** {@code tool_calls}: the model called tools; answer them and ask again. */
  TOOL_CALLS("tool_calls"),
  /** {@code content_filter}: content was omitted by a filter. */
  CONTENT_FILTER("content_filter"),
  /** {@code function_call}: the deprecated single function call. */
  FUNCTION_CALL("function_call"),
  /** Any other value, or none. */
  UNKNOWN(null);

  private final String wire;

  FinishReason(String wire) {
    this.wire = wire;
  }

  /** Returns OpenAI's string for this reason, such as {@code tool_calls}; {@code null} for {@link #UNKNOWN}. */
  public String wireValue() {
    return wire;
  }

  /** Returns the reason for OpenAI's string {@code value} (case-insensitive); {@link #UNKNOWN} for others and null. */
  public static FinishReason of(String value) {
    if (value == null) {
      return UNKNOWN;
    }
    String v = value.toLowerCase(Locale.ROOT);
    for (FinishReason r : values()) {
      if (v.equals(r.wire)) {
        return r;
      }
    }
    return UNKNOWN;
  }
}
