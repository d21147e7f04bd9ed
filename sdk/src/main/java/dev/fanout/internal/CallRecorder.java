package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.FanoutClock;
import dev.fanout.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The recorder of one logical call: the times and counts its trace reports, each written in one place, as
 * it happens, and read once when the call finishes. Every time is a reading of the client's
 * {@link FanoutClock}. {@link TraceEventListener}, {@link StaleConnectionReplay} and {@link RefusedStreamReplay} find it through the
 * request's tag; the call's stages tell it the rest. Its methods only store: none blocks.
 */
final class CallRecorder {
  private final FanoutClock clock;
  private final long queuedNanos;

  private volatile long startNanos = -1;
  private volatile long connectedNanos = -1;
  private volatile long firstByteNanos = -1;
  private volatile int statusCode = -1;
  private volatile long governorWaitNanos;
  private final AtomicInteger hedgesSent = new AtomicInteger();
  private final AtomicInteger hedgesWon = new AtomicInteger();
  private final AtomicInteger replays = new AtomicInteger();
  /** Each request's times (attempts and their hedges), in the order sent. */
  private final List<AttemptTimes> attemptTimes = new CopyOnWriteArrayList<>();

  CallRecorder(FanoutClock clock) {
    this.clock = clock;
    this.queuedNanos = clock.nanoTime();
  }

  long now() {
    return clock.nanoTime();
  }

  /** A new attempt begins: the phases of the one before no longer describe the call. */
  void attemptBegins() {
    firstByteNanos = -1;
    connectedNanos = -1;
    statusCode = -1;
  }

  /**
   * Request {@code leg} of attempt {@code attempt} is handed to OkHttp after waiting {@code waited} for the
   * gate; returns its times, which the event listener and the exchange complete.
   */
  AttemptTimes requestSent(int attempt, int leg, Duration waited) {
    governorWaitNanos += waited.toNanos();
    AttemptTimes times = new AttemptTimes(now(), attempt == 1 && leg == 0);
    attemptTimes.add(times);
    return times;
  }

  /** A backup request was handed to OkHttp. */
  void hedgeSent() {
    hedgesSent.incrementAndGet();
  }

  /** A backup request's response was the one the attempt took. */
  void hedgeWon() {
    hedgesWon.incrementAndGet();
  }

  /** A request the server never processed was sent again (a stale connection, a refused stream); it stays the same attempt. */
  void replayed() {
    replays.incrementAndGet();
  }

  /** The first attempt's start is when its first request leaves the dispatcher's queue; later attempts keep it. */
  void requestStarted(AttemptTimes times, long nanos) {
    if ((times != null && times.first) || startNanos == -1) {
      startNanos = nanos;
    }
  }

  void connected() {
    connectedNanos = now();
  }

  void firstByte() {
    firstByteNanos = now();
  }

  void status(int code) {
    statusCode = code;
  }

  int status() {
    return statusCode;
  }

  /** Returns the call's trace, ending now. */
  CallTrace trace(String label, int attempts, Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    long end = now();
    long start = startNanos == -1 ? end : startNanos;
    List<CallTrace.Attempt> timings = new ArrayList<>(attemptTimes.size());
    for (AttemptTimes t : attemptTimes) {
      timings.add(t.toAttempt(end));
    }
    return new CallTrace(
        label, queuedNanos, start, connectedNanos, firstByteNanos, end, attempts, statusCode, outcome,
        outcome == Outcome.Kind.SUCCEEDED ? null : errorType, governorWaitNanos, hedgesSent.get(), hedgesWon.get(),
        replays.get(), timings);
  }

  /**
   * One request's times as they happen: handed to OkHttp, sent (left the dispatcher's queue: the client's
   * {@code maxInFlight}), its outcome known. Written by {@link TraceEventListener} and the request's exchange.
   */
  static final class AttemptTimes {
    final long enqueuedNanos;
    /** The first request of the first attempt: the one whose start is the call's start. */
    final boolean first;
    /** When it left the client's queue; -1 while it waits there. */
    private volatile long sentNanos = -1;
    private volatile long endNanos = -1;
    private boolean dequeued;

    AttemptTimes(long enqueuedNanos, boolean first) {
      this.enqueuedNanos = enqueuedNanos;
      this.first = first;
    }

    /** OkHttp started the call: it runs at once unless the dispatcher queues it next. */
    synchronized void callStarted(long nanos) {
      if (!dequeued) {
        sentNanos = nanos;
      }
    }

    /**
     * The dispatcher queued it: it was not sent after all. (Fired on the enqueuing thread after the dispatcher's
     * lock is released, so another thread may have let it run already.)
     */
    synchronized void queued() {
      if (!dequeued) {
        sentNanos = -1;
      }
    }

    /** The dispatcher let it run. */
    synchronized void dequeued(long nanos) {
      dequeued = true;
      sentNanos = nanos;
    }

    /** Its outcome is known. */
    void ended(long nanos) {
      endNanos = nanos;
    }

    /** The attempt as a trace shows it, an unfinished one ending at {@code callEnd} (the call's end). */
    CallTrace.Attempt toAttempt(long callEnd) {
      long end = endNanos >= 0 ? Math.min(endNanos, callEnd) : callEnd;
      long enqueued = Math.min(enqueuedNanos, end);
      long sent = sentNanos;
      return new CallTrace.Attempt(enqueued, sent < 0 ? -1 : Math.max(enqueued, Math.min(sent, end)), end);
    }
  }
}
