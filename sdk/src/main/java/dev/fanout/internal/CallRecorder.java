package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The trace sink of one logical call: it keeps what the call's {@link CallTrace} reports, as the call's
 * {@link CallEvents} tell it, and makes the trace when the call ends. It is one listener of that stream,
 * beside the client's telemetry: every time it stores is the stream's one reading of the client's clock for
 * that event, and every count is of the stream's events, so the trace, the client's stats and its spans
 * cannot disagree. Its methods only store: none blocks and none reads a clock.
 */
final class CallRecorder {
  /** A phase that has not happened (yet): the trace reports it as empty. */
  private static final long NONE = Long.MIN_VALUE;
  /** No response (yet): the trace reports the status as empty. */
  private static final int NO_STATUS = -1;

  private final long queuedNanos;
  private volatile long connectedNanos = NONE;
  private volatile long firstByteNanos = NONE;
  private volatile int statusCode = NO_STATUS;
  /** The attempt took a response: a losing hedge's response, arriving after, is not the call's status. */
  private volatile boolean took;
  private final AtomicInteger hedgesSent = new AtomicInteger();
  private final AtomicInteger hedgesWon = new AtomicInteger();
  private final AtomicInteger replays = new AtomicInteger();
  /** Each request's times (attempts and their hedges), in the order they asked the gate. */
  private final List<AttemptTimes> attemptTimes = new CopyOnWriteArrayList<>();

  /** A recorder of a call made at {@code queuedNanos}. */
  CallRecorder(long queuedNanos) {
    this.queuedNanos = queuedNanos;
  }

  /** A request asked the gate for admission at {@code nanos}: returns its times. */
  AttemptTimes asking(long nanos) {
    AttemptTimes times = new AttemptTimes(nanos);
    attemptTimes.add(times);
    return times;
  }

  /** A new attempt's first request is handed to OkHttp: the phases of the attempt before no longer describe the call. */
  void attemptBegins() {
    firstByteNanos = NONE;
    connectedNanos = NONE;
    statusCode = NO_STATUS;
    took = false;
  }

  void hedgeSent() {
    hedgesSent.incrementAndGet();
  }

  void connected(long nanos) {
    connectedNanos = nanos;
  }

  void firstByte(long nanos) {
    firstByteNanos = nanos;
  }

  /** A response with {@code code} arrived for the request of {@code times}. */
  void responded(AttemptTimes times, int code) {
    times.status = code;
    if (!took) {
      statusCode = code;
    }
  }

  /** The attempt took the response of the request of {@code times} (a hedge's, if {@code hedge}). */
  void took(AttemptTimes times, boolean hedge) {
    took = true;
    statusCode = times.status;
    if (hedge) {
      hedgesWon.incrementAndGet();
    }
  }

  void replayed() {
    replays.incrementAndGet();
  }

  /** Returns the call's trace, ending at {@code endNanos}. */
  CallTrace trace(String label, int attempts, Outcome.Kind outcome, Class<? extends Throwable> errorType,
      long endNanos) {
    List<CallTrace.Attempt> timings = new ArrayList<>(attemptTimes.size());
    for (AttemptTimes t : attemptTimes) {
      timings.add(t.toAttempt(queuedNanos, endNanos));
    }
    return new CallTrace(label, queuedNanos, firstSent(timings), reading(connectedNanos), reading(firstByteNanos),
        endNanos, attempts, status(statusCode), outcome, outcome == Outcome.Kind.SUCCEEDED ? null : errorType,
        hedgesSent.get(), hedgesWon.get(), replays.get(), timings);
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

  private static OptionalInt status(int code) {
    return code == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(code);
  }

  private static OptionalLong reading(long nanos) {
    return nanos == NONE ? OptionalLong.empty() : OptionalLong.of(nanos);
  }

  /**
   * One request's times as the stream tells them: asked the gate, admitted and handed to OkHttp, sent (left
   * the dispatcher's queue: the client's {@code maxInFlight}), its outcome known.
   */
  static final class AttemptTimes {
    final long askedNanos;
    /** When the gate admitted it and it was handed to OkHttp; NONE while it waits for the gate. */
    private volatile long enqueuedNanos = NONE;
    /** When it left the client's queue; NONE while it waits there. */
    private volatile long sentNanos = NONE;
    private volatile long endNanos = NONE;
    private volatile int status = NO_STATUS;
    private boolean dequeued;

    AttemptTimes(long askedNanos) {
      this.askedNanos = askedNanos;
    }

    void admitted(long nanos) {
      enqueuedNanos = nanos;
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
        sentNanos = NONE;
      }
    }

    /** The dispatcher let it run. */
    synchronized void dequeued(long nanos) {
      dequeued = true;
      sentNanos = nanos;
    }

    /** Its outcome is known (or it will never be sent: refused or no longer wanted); the first reading stays. */
    void ended(long nanos) {
      if (endNanos == NONE) {
        endNanos = nanos;
      }
    }

    /**
     * The request as a trace shows it, its times kept within the call's {@code [callStart, callEnd]} and in
     * order (a reading another thread writes as the call ends may be late); an unfinished one ends at the
     * call's end.
     */
    CallTrace.Attempt toAttempt(long callStart, long callEnd) {
      long end = endNanos != NONE ? Math.min(endNanos, callEnd) : callEnd;
      long asked = Math.min(Math.max(askedNanos, callStart), end);
      long enqueued = enqueuedNanos;
      if (enqueued == NONE) {
        return CallTrace.Attempt.held(asked, end);
      }
      enqueued = Math.max(asked, Math.min(enqueued, end));
      long sent = sentNanos;
      return sent == NONE
          ? CallTrace.Attempt.queued(asked, enqueued, end)
          : CallTrace.Attempt.sent(asked, enqueued, Math.max(enqueued, Math.min(sent, end)), end);
    }
  }
}
