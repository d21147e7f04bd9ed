package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.FanoutClock;
import dev.fanout.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
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
   * Request {@code leg} of attempt {@code attempt} asks the gate (the rate-limit governor) for admission now;
   * returns its times, which the call's stages, the event listener and the exchange complete.
   */
  AttemptTimes asking(int attempt, int leg) {
    AttemptTimes times = new AttemptTimes(now(), attempt == 1 && leg == 0);
    attemptTimes.add(times);
    return times;
  }

  /**
   * The gate admitted the request of {@code times} and it is handed to OkHttp now; returns how long the gate
   * held it: 0 if it did not ({@code held} false: then it counts as admitted when it asked).
   */
  long requestSent(AttemptTimes times, boolean held) {
    long at = held ? Math.max(times.askedNanos, now()) : times.askedNanos;
    times.admitted(at);
    return at - times.askedNanos;
  }

  /**
   * Returns how long each request still waiting for the gate has waited, now that the call ends: waits the
   * governor never got to end with an admission, each reported once.
   */
  List<Duration> waitsCutShort() {
    long end = now();
    List<Duration> waits = List.of();
    for (AttemptTimes t : attemptTimes) {
      if (t.cutShort(end)) {
        if (waits.isEmpty()) {
          waits = new ArrayList<>(1);
        }
        waits.add(Duration.ofNanos(end - t.askedNanos));
      }
    }
    return waits;
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
    List<CallTrace.Attempt> timings = new ArrayList<>(attemptTimes.size());
    for (AttemptTimes t : attemptTimes) {
      timings.add(t.toAttempt(queuedNanos, end));
    }
    return new CallTrace(
        label, queuedNanos, timings.isEmpty() ? reading(startNanos) : firstSent(timings), reading(connectedNanos), reading(firstByteNanos), end, attempts,
        statusCode, outcome, outcome == Outcome.Kind.SUCCEEDED ? null : errorType, hedgesSent.get(),
        hedgesWon.get(), replays.get(), timings);
  }

  /** When the first of the requests left the client's queue; empty if none did. */
  private static OptionalLong firstSent(List<CallTrace.Attempt> timings) {
    OptionalLong first = OptionalLong.empty();
    for (CallTrace.Attempt a : timings) {
      if (a.sent() && (first.isEmpty() || a.sentNanos().getAsLong() < first.getAsLong())) {
        first = a.sentNanos();
      }
    }
    return first;
  }

  /** A phase's reading as a trace reports it: empty if the phase did not happen ({@code -1} here). */
  private static OptionalLong reading(long nanos) {
    return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(nanos);
  }

  /**
   * One request's times as they happen: asked the gate, admitted and handed to OkHttp, sent (left the
   * dispatcher's queue: the client's {@code maxInFlight}), its outcome known. Written by the call's stages,
   * {@link TraceEventListener} and the request's exchange.
   */
  static final class AttemptTimes {
    final long askedNanos;
    /** The first request of the first attempt: the one whose start is the call's start. */
    final boolean first;
    /** When the gate admitted it and it was handed to OkHttp; -1 while it waits for the gate. */
    private volatile long enqueuedNanos = -1;
    /** When it left the client's queue; -1 while it waits there. */
    private volatile long sentNanos = -1;
    private volatile long endNanos = -1;
    private boolean dequeued;
    private boolean cutShort;

    AttemptTimes(long askedNanos, boolean first) {
      this.askedNanos = askedNanos;
      this.first = first;
    }

    void admitted(long nanos) {
      enqueuedNanos = nanos;
    }

    /** True, once, if it still waits for the gate as the call ends at {@code nanos}. */
    synchronized boolean cutShort(long nanos) {
      if (cutShort || enqueuedNanos >= 0 || endNanos >= 0 || nanos <= askedNanos) {
        return false;
      }
      cutShort = true;
      return true;
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

    /** Its outcome is known (or it will never be sent: refused or no longer wanted). */
    void ended(long nanos) {
      if (endNanos < 0) {
        endNanos = nanos;
      }
    }

    /**
     * The request as a trace shows it, its times kept within the call's {@code [callStart, callEnd]} and in
     * order (a reading another thread writes as the call ends may be late); an unfinished one ends at the
     * call's end.
     */
    CallTrace.Attempt toAttempt(long callStart, long callEnd) {
      long end = endNanos >= 0 ? Math.min(endNanos, callEnd) : callEnd;
      long asked = Math.min(Math.max(askedNanos, callStart), end);
      long enqueued = enqueuedNanos;
      if (enqueued < 0) {
        return CallTrace.Attempt.held(asked, end);
      }
      enqueued = Math.max(asked, Math.min(enqueued, end));
      long sent = sentNanos;
      return sent < 0
          ? CallTrace.Attempt.queued(asked, enqueued, end)
          : CallTrace.Attempt.sent(asked, enqueued, Math.max(enqueued, Math.min(sent, end)), end);
    }
  }
}
