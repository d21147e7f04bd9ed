package dev.fanout.flink;

import java.io.Serializable;
import java.util.NoSuchElementException;

/**
 * A call outcome is what a {@link FanoutAsyncFunction#outcomes settling} function emits for every element:
 * the element with its value, or with the type and message of the failure that ended its call. Nothing is
 * lost: a failed call is a record downstream (to count, route to a side output, or store for a replay), not a
 * failed job. It is the stream counterpart of the SDK's {@link dev.fanout.Outcome}.
 *
 * <p>The failure is kept as its class name and message rather than as the {@link Throwable}, so that the
 * record serializes cheaply between operators and into state (an SDK exception holds response headers and
 * body excerpts that no downstream operator needs).
 *
 * @param input the element the call was made for
 * @param value the call's result; {@code null} on failure
 * @param errorType the failure's class name, such as {@code dev.fanout.errors.ServerException};
 *     {@code null} on success
 * @param errorMessage the failure's message; {@code null} on success
 * @param <IN> the stream element
 * @param <OUT> the call's result
 */
public record CallOutcome<IN, OUT>(IN input, OUT value, String errorType, String errorMessage)
    implements Serializable {

  /** Returns the outcome of a call that produced {@code value} for {@code input}. */
  public static <IN, OUT> CallOutcome<IN, OUT> success(IN input, OUT value) {
    return new CallOutcome<>(input, value, null, null);
  }

  /** Returns the outcome of a call for {@code input} that failed with {@code error}. */
  public static <IN, OUT> CallOutcome<IN, OUT> failure(IN input, Throwable error) {
    if (error == null) {
      throw new IllegalArgumentException("error == null");
    }
    return new CallOutcome<>(input, null, error.getClass().getName(), String.valueOf(error.getMessage()));
  }

  /** Returns true if the call produced a value. */
  public boolean isSuccess() {
    return errorType == null;
  }

  /** Returns the value; throws {@link NoSuchElementException} naming the failure if the call failed. */
  public OUT getOrThrow() {
    if (!isSuccess()) {
      throw new NoSuchElementException("call for " + input + " failed: " + errorType + ": " + errorMessage);
    }
    return value;
  }
}
