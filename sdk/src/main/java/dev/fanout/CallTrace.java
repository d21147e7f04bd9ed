package dev.fanout;

import java.util.Objects;

/**
 * The timing of one logical call: when it was queued, when its first attempt started, when it connected,
 * when the first response byte arrived, when it finished, how many attempts it took and how it ended.
 *
 * <p>Times are {@link System#nanoTime()} readings; a phase that did not happen (a reused connection has no
 * connect, a failed call may have no first byte) is {@code -1}. {@code outcome} says how it ended and
 * {@code errorType} is the failure's exception type ({@code null} on success).
 */
public record CallTrace(
    String label,
    long queuedNanos,
    long startNanos,
    long connectedNanos,
    long firstByteNanos,
    long endNanos,
    int attempts,
    int statusCode,
    Outcome.Kind outcome,
    Class<? extends Throwable> errorType) {

  public CallTrace {
    Objects.requireNonNull(label, "label == null");
    Objects.requireNonNull(outcome, "outcome == null");
    if ((outcome == Outcome.Kind.SUCCEEDED) != (errorType == null)) {
      throw new IllegalArgumentException("errorType must be null exactly on success: " + outcome + ", " + errorType);
    }
  }

  /** Returns true if the call succeeded. */
  public boolean ok() {
    return outcome == Outcome.Kind.SUCCEEDED;
  }

  /** Returns the simple name of the error type, or {@code ""} on success. */
  public String errorName() {
    return errorType == null ? "" : errorType.getSimpleName();
  }

  /** Returns the time from the first attempt's start to the end, in nanoseconds. */
  public long durationNanos() {
    return endNanos - startNanos;
  }

  /** Returns the time spent waiting for a concurrency permit before the first attempt, in nanoseconds. */
  public long queueNanos() {
    return startNanos - queuedNanos;
  }
}
