package dev.fanout;

import java.util.Objects;

/**
 * The timing of one logical call: when it was queued, when its first attempt started, when it connected,
 * when the first response byte arrived, when it finished, how many attempts it took and how it ended.
 *
 * <p>Times are {@link System#nanoTime()} readings; a phase that did not happen (a reused connection has no
 * connect, a failed call may have no first byte) is {@code -1}. {@code outcome} says how it ended and
 * {@code errorType} is the failure's exception type ({@code null} on success). {@code governorWaitNanos} is
 * the time its attempts waited for the client's rate-limit governor (pacing, a 429 pause, the adaptive
 * concurrency limit), summed over attempts; 0 when it never waited or the governor is off.
 *
 * <p>{@code replays} counts requests re-sent at once, without spending an attempt, after a reused keep-alive
 * connection failed before any response (a connection the server had closed as idle): the server never read
 * them, so it saw {@code attempts} requests. Only idempotent requests (or ones with an {@code Idempotency-Key})
 * are replayed; see {@code docs/reliability.md}.
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
    Class<? extends Throwable> errorType,
    long governorWaitNanos,
    int replays) {

  /** A trace of a call that never waited for the rate-limit governor. */
  public CallTrace(String label, long queuedNanos, long startNanos, long connectedNanos, long firstByteNanos,
      long endNanos, int attempts, int statusCode, Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    this(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts, statusCode, outcome,
        errorType, 0, 0);
  }

  /** A trace of a call that made no replay. */
  public CallTrace(String label, long queuedNanos, long startNanos, long connectedNanos, long firstByteNanos,
      long endNanos, int attempts, int statusCode, Outcome.Kind outcome, Class<? extends Throwable> errorType,
      long governorWaitNanos) {
    this(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts, statusCode, outcome,
        errorType, governorWaitNanos, 0);
  }

  public CallTrace {
    Objects.requireNonNull(label, "label == null");
    Objects.requireNonNull(outcome, "outcome == null");
    if ((outcome == Outcome.Kind.SUCCEEDED) != (errorType == null)) {
      throw new IllegalArgumentException("errorType must be null exactly on success: " + outcome + ", " + errorType);
    }
    if (governorWaitNanos < 0) {
      throw new IllegalArgumentException("governorWaitNanos < 0: " + governorWaitNanos);
    }
    if (replays < 0) {
      throw new IllegalArgumentException("replays < 0: " + replays);
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

  /** Returns the time the call's attempts waited for the rate-limit governor, summed (zero if none). */
  public java.time.Duration governorWait() {
    return java.time.Duration.ofNanos(governorWaitNanos);
  }

  /** Returns the time spent waiting for a concurrency permit before the first attempt, in nanoseconds. */
  public long queueNanos() {
    return startNanos - queuedNanos;
  }
}
