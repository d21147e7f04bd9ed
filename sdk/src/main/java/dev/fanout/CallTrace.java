package dev.fanout;

import java.util.Objects;

/**
 * The timing of one logical call: when it was queued, when its first attempt started, when it connected,
 * when the first response byte arrived, when it finished, how many attempts it took and how it ended.
 *
 * <p>Times are readings of the client's {@link FanoutClock#nanoTime()} (so on a test's fake clock they are
 * the fake clock's); a phase that did not happen (a reused connection has no
 * connect, a failed call may have no first byte) is {@code -1}. {@code outcome} says how it ended and
 * {@code errorType} is the failure's exception type ({@code null} on success). {@code governorWaitNanos} is
 * the time its attempts waited for the client's rate-limit governor (pacing, a 429 pause, the adaptive
 * concurrency limit), summed over attempts; 0 when it never waited or the governor is off.
 * {@code hedgesSent} counts the backups its attempts sent (see {@link HedgePolicy}; a hedge is not an
 * attempt) and {@code hedgesWon} those whose response was the one taken (0 or 1 per attempt).
 *
 * <p>{@code replays} counts requests sent again at once, without spending an attempt, because the server
 * provably never processed them: the pooled keep-alive connection they were given turned out, before they
 * were written, to have been closed by the server, or an HTTP/2 server refused their stream ({@code
 * REFUSED_STREAM}) or left it unprocessed by {@code GOAWAY}. The server processed {@code attempts} requests
 * (see {@code docs/reliability.md}).
 *
 * <p>{@code attemptTimes} has each attempt's times ({@link Attempt}): how long it waited in the client's
 * queue for a {@code maxInFlight} slot, and how long it was in flight, sent and unanswered. A
 * {@link FanoutReport} adds these up into queued and in-flight time, and finds its peak in flight from them.
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
    int hedgesSent,
    int hedgesWon,
    int replays,
    java.util.List<CallTrace.Attempt> attemptTimes) {

  /**
   * One attempt's times (readings of the client's {@link FanoutClock#nanoTime()}): when it was handed to OkHttp
   * ({@code enqueuedNanos}, after the governor admitted it), when it was sent ({@code sentNanos}: it left the
   * client's queue, where it waits while {@code maxInFlight} requests are in flight; {@code -1} if it never
   * did) and when its outcome was known ({@code endNanos}: the response read, a failure, or the call's end).
   * Between {@code sentNanos} and {@code endNanos} it was in flight: sent and unanswered.
   */
  public record Attempt(long enqueuedNanos, long sentNanos, long endNanos) {
    public Attempt {
      if (endNanos < enqueuedNanos || (sentNanos >= 0 && (sentNanos < enqueuedNanos || sentNanos > endNanos))) {
        throw new IllegalArgumentException(
            "attempt times out of order: enqueued " + enqueuedNanos + ", sent " + sentNanos + ", end " + endNanos);
      }
    }

    /** Returns true if the attempt left the client's queue. */
    public boolean sent() {
      return sentNanos >= 0;
    }

    /** Returns the time it waited in the client's queue for a {@code maxInFlight} slot. */
    public long queueNanos() {
      return (sent() ? sentNanos : endNanos) - enqueuedNanos;
    }

    /** Returns the time it was sent and unanswered; 0 if it was never sent. */
    public long inFlightNanos() {
      return sent() ? endNanos - sentNanos : 0;
    }
  }

  /** A trace without per-attempt times (they are then unknown: {@link #inFlightNanos()} is the duration). */
  public CallTrace(String label, long queuedNanos, long startNanos, long connectedNanos, long firstByteNanos,
      long endNanos, int attempts, int statusCode, Outcome.Kind outcome, Class<? extends Throwable> errorType,
      long governorWaitNanos, int hedgesSent, int hedgesWon, int replays) {
    this(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts, statusCode, outcome,
        errorType, governorWaitNanos, hedgesSent, hedgesWon, replays, java.util.List.of());
  }

  /** A trace of a call that never waited for the rate-limit governor. */
  public CallTrace(String label, long queuedNanos, long startNanos, long connectedNanos, long firstByteNanos,
      long endNanos, int attempts, int statusCode, Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    this(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts, statusCode, outcome,
        errorType, 0);
  }

  /** A trace of a call that sent no hedges and made no replay, without per-attempt times. */
  public CallTrace(String label, long queuedNanos, long startNanos, long connectedNanos, long firstByteNanos,
      long endNanos, int attempts, int statusCode, Outcome.Kind outcome, Class<? extends Throwable> errorType,
      long governorWaitNanos) {
    this(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts, statusCode, outcome,
        errorType, governorWaitNanos, 0, 0, 0);
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
    if (hedgesSent < 0 || hedgesWon < 0 || hedgesWon > hedgesSent) {
      throw new IllegalArgumentException("hedges won not in [0, sent]: sent " + hedgesSent + ", won " + hedgesWon);
    }
    if (replays < 0) {
      throw new IllegalArgumentException("replays < 0: " + replays);
    }
    attemptTimes = java.util.List.copyOf(Objects.requireNonNull(attemptTimes, "attemptTimes == null"));
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

  /**
   * Returns the time the call's attempts were in flight (sent and unanswered), summed, in nanoseconds; for a
   * trace without {@link #attemptTimes()} (made by hand), its {@link #durationNanos()}.
   */
  public long inFlightNanos() {
    if (attemptTimes.isEmpty()) {
      return attempts == 0 ? 0 : durationNanos();
    }
    long sum = 0;
    for (Attempt a : attemptTimes) {
      sum += a.inFlightNanos();
    }
    return sum;
  }

  /**
   * Returns the time the call's attempts waited in the client's queue for a {@code maxInFlight} slot, summed,
   * in nanoseconds (0 for a trace without {@link #attemptTimes()}).
   */
  public long clientQueueNanos() {
    long sum = 0;
    for (Attempt a : attemptTimes) {
      sum += a.queueNanos();
    }
    return sum;
  }

  /** Returns the time spent waiting for a concurrency permit before the first attempt, in nanoseconds. */
  public long queueNanos() {
    return startNanos - queuedNanos;
  }
}
