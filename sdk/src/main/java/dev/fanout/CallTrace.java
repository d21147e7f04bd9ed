package dev.fanout;

import java.util.Objects;

/**
 * The timing of one logical call: when it was queued, when its first attempt started, when it connected,
 * when the first response byte arrived, when it finished, how many attempts it took and how it ended.
 *
 * <p>Times are readings of the client's {@link FanoutClock#nanoTime()} (so on a test's fake clock they are
 * the fake clock's); a phase that did not happen (a reused connection has no
 * connect, a failed call may have no first byte) is {@code -1}. {@code queuedNanos} is when the call was made,
 * {@code startNanos} when its first request was sent ({@code -1} if none was). {@code outcome} says how it
 * ended and {@code errorType} is the failure's exception type ({@code null} on success).
 * {@code hedgesSent} counts the backups its attempts sent (see {@link HedgePolicy}; a hedge is not an
 * attempt) and {@code hedgesWon} those whose response was the one taken (0 or 1 per attempt).
 *
 * <h2>Where the time went.</h2>
 * {@link #split()} divides the call's {@link #durationNanos()} into the time it waited in the client's queue
 * for a {@code maxInFlight} slot, the time it waited for the client's rate-limit governor (pacing, a 429's
 * pause, the adaptive concurrency limit), the time a request of it was in flight (sent and unanswered), and
 * the time between attempts (retry backoffs); they add up, also for a call that ended (a deadline, a cancel)
 * while it was queued or held by the governor. {@code governorWaitNanos} is the split's governor part (0 when
 * it never waited or the governor is off).
 *
 * <p>{@code replays} counts requests sent again at once, without spending an attempt, because the server
 * provably never processed them: the pooled keep-alive connection they were given turned out, before they
 * were written, to have been closed by the server, or an HTTP/2 server refused their stream ({@code
 * REFUSED_STREAM}) or left it unprocessed by {@code GOAWAY}. The server processed {@code attempts} requests
 * (see {@code docs/reliability.md}).
 *
 * <p>{@code attemptTimes} has each request's times ({@link Attempt}, attempts and hedges in the order they
 * asked for admission), from which the split is made. A {@link FanoutReport} adds the splits of its calls up,
 * and finds its peak in flight from the requests' times.
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
   * One request's times (readings of the client's {@link FanoutClock#nanoTime()}), an attempt's or a hedge's:
   * when it asked the rate-limit governor for admission ({@code askedNanos}), when the governor admitted it
   * and it was handed to OkHttp ({@code enqueuedNanos}; {@code -1} if the call ended while it waited for the
   * governor), when it was sent ({@code sentNanos}: it left the client's queue, where it waits while
   * {@code maxInFlight} requests are in flight; {@code -1} if it never did) and when its outcome was known
   * ({@code endNanos}: the response read, a failure, or the call's end). Between {@code askedNanos} and
   * {@code enqueuedNanos} it waited for the governor, then until {@code sentNanos} in the client's queue, then
   * until {@code endNanos} it was in flight: sent and unanswered.
   */
  public record Attempt(long askedNanos, long enqueuedNanos, long sentNanos, long endNanos) {
    public Attempt {
      if (endNanos < askedNanos
          || (enqueuedNanos >= 0 && (enqueuedNanos < askedNanos || enqueuedNanos > endNanos))
          || (sentNanos >= 0 && (enqueuedNanos < 0 || sentNanos < enqueuedNanos || sentNanos > endNanos))) {
        throw new IllegalArgumentException("attempt times out of order: asked " + askedNanos + ", enqueued "
            + enqueuedNanos + ", sent " + sentNanos + ", end " + endNanos);
      }
    }

    /** A request the governor admitted as soon as it asked ({@code askedNanos == enqueuedNanos}). */
    public Attempt(long enqueuedNanos, long sentNanos, long endNanos) {
      this(enqueuedNanos, enqueuedNanos, sentNanos, endNanos);
    }

    /** Returns true if the governor admitted it and it was handed to OkHttp. */
    public boolean admitted() {
      return enqueuedNanos >= 0;
    }

    /** Returns true if the attempt left the client's queue. */
    public boolean sent() {
      return sentNanos >= 0;
    }

    /** Returns the time it waited for the rate-limit governor (to its end if it was never admitted). */
    public long governorWaitNanos() {
      return (admitted() ? enqueuedNanos : endNanos) - askedNanos;
    }

    /** Returns the time it waited in the client's queue for a {@code maxInFlight} slot. */
    public long queueNanos() {
      return !admitted() ? 0 : (sent() ? sentNanos : endNanos) - enqueuedNanos;
    }

    /** Returns the time it was sent and unanswered; 0 if it was never sent. */
    public long inFlightNanos() {
      return sent() ? endNanos - sentNanos : 0;
    }
  }

  /**
   * Where a call's time went, from {@link #queuedNanos()} to {@link #endNanos()}: each instant counted once, in
   * the first of these that held for any of its requests: in flight ({@code inFlightNanos}: a request sent
   * and unanswered), in the client's queue ({@code clientQueueNanos}: handed to OkHttp, waiting for a
   * {@code maxInFlight} slot), waiting for the rate-limit governor ({@code governorWaitNanos}), else between
   * attempts ({@code betweenAttemptsNanos}: retry backoffs, and the moments before the first request asked).
   * The four add up to {@link #durationNanos()}; a call with no retry backoff spends no time between attempts,
   * so its first three add up. A hedge's wait while its attempt's first request is in flight is in flight.
   */
  public record Split(long clientQueueNanos, long governorWaitNanos, long inFlightNanos, long betweenAttemptsNanos) {
    public Split {
      if (clientQueueNanos < 0 || governorWaitNanos < 0 || inFlightNanos < 0 || betweenAttemptsNanos < 0) {
        throw new IllegalArgumentException("negative part: queued " + clientQueueNanos + ", governor "
            + governorWaitNanos + ", in flight " + inFlightNanos + ", between attempts " + betweenAttemptsNanos);
      }
    }

    /**
     * Returns the split of {@code [fromNanos, toNanos]} by {@code attempts}' times (clipped to it); the parts
     * add up to {@code toNanos - fromNanos}.
     */
    public static Split of(long fromNanos, long toNanos, java.util.List<Attempt> attempts) {
      long to = Math.max(fromNanos, toNanos);
      long[] points = new long[attempts.size() * 4 + 2];
      int n = 0;
      points[n++] = fromNanos;
      points[n++] = to;
      for (Attempt a : attempts) {
        points[n++] = a.askedNanos;
        points[n++] = a.enqueuedNanos;
        points[n++] = a.sentNanos;
        points[n++] = a.endNanos;
      }
      java.util.Arrays.sort(points, 0, n);
      long[] parts = new long[4]; // in flight, queued, governor, between
      long prev = fromNanos;
      for (int i = 0; i < n; i++) {
        long p = Math.min(Math.max(points[i], fromNanos), to);
        if (p <= prev) {
          continue;
        }
        parts[stateAt(prev, attempts)] += p - prev;
        prev = p;
      }
      return new Split(parts[1], parts[2], parts[0], parts[3]);
    }

    /** 0 in flight, 1 in the client's queue, 2 waiting for the governor, 3 none, for the instant {@code t}. */
    private static int stateAt(long t, java.util.List<Attempt> attempts) {
      int state = 3;
      for (Attempt a : attempts) {
        if (t < a.askedNanos || t >= a.endNanos) {
          continue;
        }
        if (a.sent() && t >= a.sentNanos) {
          return 0;
        }
        if (a.admitted() && t >= a.enqueuedNanos) {
          state = Math.min(state, 1);
        } else {
          state = Math.min(state, 2);
        }
      }
      return state;
    }

    /** Returns the call's time, the sum of the four parts. */
    public long totalNanos() {
      return clientQueueNanos + governorWaitNanos + inFlightNanos + betweenAttemptsNanos;
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
    if (!attemptTimes.isEmpty()) {
      long fromAttempts = Split.of(queuedNanos, endNanos, attemptTimes).governorWaitNanos();
      if (fromAttempts != governorWaitNanos) {
        throw new IllegalArgumentException("governorWaitNanos " + governorWaitNanos
            + " is not the governor wait the attempt times show: " + fromAttempts);
      }
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

  /** Returns the call's time, from when it was made ({@link #queuedNanos()}) to its end, in nanoseconds. */
  public long durationNanos() {
    return endNanos - queuedNanos;
  }

  /**
   * Returns where the call's time went: queued for {@code maxInFlight}, held by the rate-limit governor, in
   * flight, between attempts; the parts add up to {@link #durationNanos()}. For a trace without
   * {@link #attemptTimes()} (made by hand), the governor part is {@code governorWaitNanos} and the rest is in
   * flight if it made an attempt, else between attempts.
   */
  public Split split() {
    if (!attemptTimes.isEmpty()) {
      return Split.of(queuedNanos, endNanos, attemptTimes);
    }
    long rest = Math.max(0, durationNanos() - governorWaitNanos);
    return new Split(0, governorWaitNanos, attempts == 0 ? 0 : rest, attempts == 0 ? rest : 0);
  }

  /** Returns the time the call waited for the rate-limit governor (zero if none); see {@link #split()}. */
  public java.time.Duration governorWait() {
    return java.time.Duration.ofNanos(governorWaitNanos);
  }

  /**
   * Returns the time a request of the call was in flight (sent and unanswered), in nanoseconds: a hedge in
   * flight beside its attempt's first request counts once. See {@link #split()}.
   */
  public long inFlightNanos() {
    return split().inFlightNanos();
  }

  /**
   * Returns the time the call waited in the client's queue for a {@code maxInFlight} slot, in nanoseconds
   * (not its wait for the governor, which comes before it). See {@link #split()}.
   */
  public long clientQueueNanos() {
    return split().clientQueueNanos();
  }
}
