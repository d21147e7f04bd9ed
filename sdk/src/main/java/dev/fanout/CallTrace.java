package dev.fanout;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The timing of one logical call: when it was queued, when its first attempt started, when it connected,
 * when the first response byte arrived, when it finished, how many attempts it took and how it ended.
 *
 * <p>Times are readings of the client's {@link FanoutClock#nanoTime()} (so on a test's fake clock they are
 * the fake clock's); a phase that did not happen is empty: a reused connection has no connect, a failed call may
 * have no first byte, and a call that ended before it sent a request has no start. {@code queuedNanos} is when
 * the call was made, {@code startNanos} when its first request was sent. {@code statusCode} is the HTTP status
 * of its last attempt's response (the one the attempt took, when a hedge raced it), empty if that attempt got
 * no response (a transport failure, a timeout, a cancel, or a call that sent nothing). {@code outcome} says
 * how it ended and {@code errorType} is the failure's exception type ({@code null} on success).
 * {@code hedgesSent} counts the backups its attempts sent (see {@link HedgePolicy}; a hedge is not an
 * attempt) and {@code hedgesWon} those whose response was the one taken (0 or 1 per attempt).
 *
 * <h2>Where the time went.</h2>
 * {@link #split()} divides the call's {@link #durationNanos()} into the time it waited in the client's queue
 * for a {@code maxInFlight} slot, the time it waited for the client's rate-limit governor (pacing, a 429's
 * pause, the adaptive concurrency limit), the time a request of it was in flight (sent and unanswered), and
 * the time between attempts (retry backoffs); they add up, also for a call that ended (a deadline, a cancel)
 * while it was queued or held by the governor. {@link #governorWaitNanos()} is the split's governor part (0 when
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
 * and finds its peak in flight from the requests' times. Tests and tools that need a trace of their own make it
 * with {@link #builder(String)}.
 */
public record CallTrace(
    String label,
    long queuedNanos,
    OptionalLong startNanos,
    OptionalLong connectedNanos,
    OptionalLong firstByteNanos,
    long endNanos,
    int attempts,
    OptionalInt statusCode,
    Outcome.Kind outcome,
    Class<? extends Throwable> errorType,
    int hedgesSent,
    int hedgesWon,
    int replays,
    List<CallTrace.Attempt> attemptTimes) {

  /**
   * One request's times (readings of the client's {@link FanoutClock#nanoTime()}), an attempt's or a hedge's:
   * when it asked the rate-limit governor for admission ({@code askedNanos}), when the governor admitted it
   * and it was handed to OkHttp ({@code enqueuedNanos}; empty if the call ended while it waited for the
   * governor), when it was sent ({@code sentNanos}: it left the client's queue, where it waits while
   * {@code maxInFlight} requests are in flight; empty if it never did) and when its outcome was known
   * ({@code endNanos}: the response read, a failure, or the call's end). Between {@code askedNanos} and
   * {@code enqueuedNanos} it waited for the governor, then until {@code sentNanos} in the client's queue, then
   * until {@code endNanos} it was in flight: sent and unanswered.
   */
  public record Attempt(long askedNanos, OptionalLong enqueuedNanos, OptionalLong sentNanos, long endNanos) {
    public Attempt {
      Objects.requireNonNull(enqueuedNanos, "enqueuedNanos == null");
      Objects.requireNonNull(sentNanos, "sentNanos == null");
      long enqueued = enqueuedNanos.orElse(askedNanos);
      long sent = sentNanos.orElse(enqueued);
      if (endNanos < askedNanos || enqueued < askedNanos || enqueued > endNanos
          || (sentNanos.isPresent() && (enqueuedNanos.isEmpty() || sent < enqueued || sent > endNanos))) {
        throw new IllegalArgumentException("attempt times out of order: asked " + askedNanos + ", enqueued "
            + enqueuedNanos + ", sent " + sentNanos + ", end " + endNanos);
      }
    }

    /** Returns a request admitted at {@code enqueuedNanos} and sent at {@code sentNanos}. */
    public static Attempt sent(long askedNanos, long enqueuedNanos, long sentNanos, long endNanos) {
      return new Attempt(askedNanos, OptionalLong.of(enqueuedNanos), OptionalLong.of(sentNanos), endNanos);
    }

    /** Returns a request admitted at {@code enqueuedNanos} that never left the client's queue. */
    public static Attempt queued(long askedNanos, long enqueuedNanos, long endNanos) {
      return new Attempt(askedNanos, OptionalLong.of(enqueuedNanos), OptionalLong.empty(), endNanos);
    }

    /** Returns a request that waited for the governor until {@code endNanos} and was never admitted. */
    public static Attempt held(long askedNanos, long endNanos) {
      return new Attempt(askedNanos, OptionalLong.empty(), OptionalLong.empty(), endNanos);
    }

    /** Returns true if the governor admitted it and it was handed to OkHttp. */
    public boolean admitted() {
      return enqueuedNanos.isPresent();
    }

    /** Returns true if the attempt left the client's queue. */
    public boolean sent() {
      return sentNanos.isPresent();
    }

    /** Returns the time it waited for the rate-limit governor (to its end if it was never admitted). */
    public long governorWaitNanos() {
      return enqueuedNanos.orElse(endNanos) - askedNanos;
    }

    /** Returns the time it waited in the client's queue for a {@code maxInFlight} slot. */
    public long queueNanos() {
      return !admitted() ? 0 : sentNanos.orElse(endNanos) - enqueuedNanos.getAsLong();
    }

    /** Returns the time it was sent and unanswered; 0 if it was never sent. */
    public long inFlightNanos() {
      return sent() ? endNanos - sentNanos.getAsLong() : 0;
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
        points[n++] = a.enqueuedNanos.orElse(a.askedNanos);
        points[n++] = a.sentNanos.orElse(a.askedNanos);
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
        if (a.sent() && t >= a.sentNanos.getAsLong()) {
          return 0;
        }
        if (a.admitted() && t >= a.enqueuedNanos.getAsLong()) {
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

  public CallTrace {
    Objects.requireNonNull(label, "label == null");
    Objects.requireNonNull(outcome, "outcome == null");
    Objects.requireNonNull(startNanos, "startNanos == null");
    Objects.requireNonNull(connectedNanos, "connectedNanos == null");
    Objects.requireNonNull(firstByteNanos, "firstByteNanos == null");
    Objects.requireNonNull(statusCode, "statusCode == null");
    if (statusCode.isPresent() && (statusCode.getAsInt() < 0 || statusCode.getAsInt() > 999)) {
      throw new IllegalArgumentException("statusCode not a 3-digit HTTP status: " + statusCode.getAsInt());
    }
    if (endNanos < queuedNanos) {
      throw new IllegalArgumentException("endNanos " + endNanos + " < queuedNanos " + queuedNanos);
    }
    if ((outcome == Outcome.Kind.SUCCEEDED) != (errorType == null)) {
      throw new IllegalArgumentException("errorType must be null exactly on success: " + outcome + ", " + errorType);
    }
    if (hedgesSent < 0 || hedgesWon < 0 || hedgesWon > hedgesSent) {
      throw new IllegalArgumentException("hedges won not in [0, sent]: sent " + hedgesSent + ", won " + hedgesWon);
    }
    if (replays < 0) {
      throw new IllegalArgumentException("replays < 0: " + replays);
    }
    attemptTimes = List.copyOf(Objects.requireNonNull(attemptTimes, "attemptTimes == null"));
  }

  /** Returns a builder of a trace labelled {@code label}: a call that succeeded, made and ended at 0. */
  public static Builder builder(String label) {
    return new Builder(label);
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
   * {@link #attemptTimes()} (made by hand), the whole call is in flight if it made an attempt, else between
   * attempts.
   */
  public Split split() {
    if (!attemptTimes.isEmpty()) {
      return Split.of(queuedNanos, endNanos, attemptTimes);
    }
    long duration = durationNanos();
    return new Split(0, 0, attempts == 0 ? 0 : duration, attempts == 0 ? duration : 0);
  }

  /**
   * Returns the time the call waited for the rate-limit governor, in nanoseconds: 0 if it never waited or the
   * governor is off. See {@link #split()}.
   */
  public long governorWaitNanos() {
    return split().governorWaitNanos();
  }

  /** Returns the time the call waited for the rate-limit governor (zero if none); see {@link #split()}. */
  public java.time.Duration governorWait() {
    return java.time.Duration.ofNanos(governorWaitNanos());
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

  /** Builds a {@link CallTrace} by hand (a test's, a tool's); the SDK makes its own as calls end. */
  public static final class Builder {
    private final String label;
    private long queuedNanos;
    private OptionalLong startNanos = OptionalLong.empty();
    private OptionalLong connectedNanos = OptionalLong.empty();
    private OptionalLong firstByteNanos = OptionalLong.empty();
    private long endNanos;
    private int attempts;
    private OptionalInt statusCode = OptionalInt.empty();
    private Outcome.Kind outcome = Outcome.Kind.SUCCEEDED;
    private Class<? extends Throwable> errorType;
    private int hedgesSent;
    private int hedgesWon;
    private int replays;
    private List<Attempt> attemptTimes = List.of();

    private Builder(String label) {
      this.label = Objects.requireNonNull(label, "label == null");
    }

    /** Sets when the call was made. Defaults to 0. */
    public Builder queuedNanos(long nanos) {
      this.queuedNanos = nanos;
      return this;
    }

    /** Sets when its first request was sent. Defaults to none: the call sent nothing. */
    public Builder startNanos(long nanos) {
      this.startNanos = OptionalLong.of(nanos);
      return this;
    }

    /** Sets when it connected. Defaults to none: a reused connection. */
    public Builder connectedNanos(long nanos) {
      this.connectedNanos = OptionalLong.of(nanos);
      return this;
    }

    /** Sets when the first response byte arrived. Defaults to none. */
    public Builder firstByteNanos(long nanos) {
      this.firstByteNanos = OptionalLong.of(nanos);
      return this;
    }

    /** Sets when the call ended. Defaults to 0. */
    public Builder endNanos(long nanos) {
      this.endNanos = nanos;
      return this;
    }

    /** Sets the attempts the server processed. Defaults to 0. */
    public Builder attempts(int attempts) {
      this.attempts = attempts;
      return this;
    }

    /** Sets the HTTP status of the response the call took. Defaults to none: no response. */
    public Builder statusCode(int statusCode) {
      this.statusCode = OptionalInt.of(statusCode);
      return this;
    }

    /** Sets how the call ended and its failure's type. Defaults to {@code SUCCEEDED} and no error. */
    public Builder outcome(Outcome.Kind outcome, Class<? extends Throwable> errorType) {
      this.outcome = outcome;
      this.errorType = errorType;
      return this;
    }

    /** Sets the hedges the call sent and those that won. Default to 0 and 0. */
    public Builder hedges(int sent, int won) {
      this.hedgesSent = sent;
      this.hedgesWon = won;
      return this;
    }

    /** Sets the requests sent again without spending an attempt. Defaults to 0. */
    public Builder replays(int replays) {
      this.replays = replays;
      return this;
    }

    /** Sets each request's times. Defaults to none (then the call's time is all in flight, or all between attempts). */
    public Builder attemptTimes(List<Attempt> attemptTimes) {
      this.attemptTimes = attemptTimes;
      return this;
    }

    /** Returns the trace; throws {@link IllegalArgumentException} naming the first inconsistent value. */
    public CallTrace build() {
      return new CallTrace(label, queuedNanos, startNanos, connectedNanos, firstByteNanos, endNanos, attempts,
          statusCode, outcome, errorType, hedgesSent, hedgesWon, replays, attemptTimes);
    }
  }
}
