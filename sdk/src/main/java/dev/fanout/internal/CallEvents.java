package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.FanoutClock;
import dev.fanout.Outcome;
import dev.fanout.internal.telemetry.CallInfo;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one event stream of a logical call. Each fact of the call is told here once, by the stage where it
 * happens, read once from the client's clock, and handed to each of the call's sinks: the
 * {@link CallRecorder} (the call's {@link CallTrace}), the call's {@link Telemetry.CallScope} (the client's
 * stats and its OpenTelemetry, teed) and the fan-out's {@link CallScope} (its governor tally and its
 * traces). No sink counts a fact on its own, so the trace, {@code stats()} and the spans agree.
 *
 * <p>The facts, in the order they happen: a request of the call asks the gate ({@link #asking}: its
 * {@link Leg}); the gate admits it, after a governor wait or not ({@link Leg#admitted}); it is handed to OkHttp
 * as an attempt or a hedge ({@link Leg#handedOff}); it leaves the client's queue, connects, gets its first byte
 * ({@link TraceEventListener}); it is sent again unprocessed ({@link Leg#replayed}, by the replay
 * interceptors); its response arrives ({@link Leg#responded}) and the attempt takes it ({@link Leg#took}); it
 * ends ({@link Leg#ended}); a stream's first chunk arrives ({@link #firstChunk}); the call ends
 * ({@link #ended}). A request still waiting for the gate when the call ends waited for the governor until then.
 *
 * <p>Every method only stores or forwards: none blocks. Thread-safe: requests of one call run on several
 * threads (a hedge beside its attempt's first request).
 */
final class CallEvents {
  private final FanoutClock clock;
  private final CallRecorder recorder;
  private final Telemetry.CallScope telemetry;
  /** The fan-out the call belongs to; null outside one. */
  private final CallScope scope;
  /** The client's trace listener; null if it has none. */
  private final Consumer<CallTrace> listener;
  /** Each request of the call, for the waits its end cuts short. */
  private final List<Leg> legs = new CopyOnWriteArrayList<>();

  /**
   * The stream of a call of {@code request} made now, in fan-out {@code scope} (null outside one), whose trace
   * also goes to {@code listener} (null: the client has none): its telemetry scope starts here.
   */
  CallEvents(FanoutClock clock, Telemetry telemetry, okhttp3.Request request, CallScope scope,
      Consumer<CallTrace> listener) {
    this.clock = clock;
    this.scope = scope;
    this.listener = listener;
    this.recorder = new CallRecorder(clock.nanoTime());
    this.telemetry = callStarted(telemetry, request, scope);
  }

  /**
   * Starts the call's telemetry: a child of its fan-out's span when it runs inside a fan-out (which this
   * starts if it is the fan-out's first call), else in the current trace context. A GenAI call's request
   * carries a {@link GenAiRequest} tag.
   */
  private static Telemetry.CallScope callStarted(Telemetry telemetry, okhttp3.Request request, CallScope scope) {
    if (!telemetry.isEnabled()) {
      return telemetry.callStarted(null);
    }
    try {
      GenAiRequest genAi = request.tag(GenAiRequest.class);
      okhttp3.HttpUrl url = Redaction.withClientNamesReplaced(request, "REDACTED"); // url.full's placeholder
      CallInfo info = genAi == null
          ? CallInfo.http(request.method(), url)
          : CallInfo.genAi(request.method(), url, genAi);
      FanoutSpan span = scope == null ? null : scope.fanoutSpan();
      Telemetry.FanoutScope fanout = span == null ? null : span.scopeFor(telemetry);
      return fanout != null ? fanout.callStarted(info) : telemetry.callStarted(info);
    } catch (RuntimeException e) {
      HttpEngine.LOG.warn("telemetry failed to start a span for {}", request.method(), e);
      return Telemetry.noop().callStarted(null);
    }
  }

  /** Request {@code leg} of attempt {@code attempt} (0 its first, 1.. its hedges) asks the gate for admission now. */
  Leg asking(int attempt, int leg) {
    Leg l = new Leg(attempt, leg, recorder.asking(clock.nanoTime()));
    legs.add(l);
    return l;
  }

  /** The first chunk of a streamed response was read. */
  void firstChunk() {
    telemetry.firstChunk();
  }

  /**
   * The call ended after {@code attempts} attempts ({@code error} null on success; {@code response}, or null,
   * what a GenAI response said). In this order: its trace goes to the fan-out and the client's listener (so a
   * fan-out that reacts to the call's completion already has it), each wait for the gate the end cut short is
   * a governor wait, and the call's telemetry ends.
   */
  void ended(String label, int attempts, Throwable error, GenAiResponse response) {
    long end = clock.nanoTime();
    if (scope != null || listener != null) { // else nobody reads the trace: it is not built
      Outcome.Kind outcome = Outcome.Kind.of(error);
      CallTrace trace = recorder.trace(label, attempts, outcome, error == null ? null : error.getClass(), end);
      if (scope != null) {
        try {
          scope.record(trace);
        } catch (RuntimeException e) {
          HttpEngine.LOG.warn("trace sink failed for {}", label, e);
        }
      }
      if (listener != null) {
        listener.accept(trace);
      }
    }
    for (Leg leg : legs) {
      leg.cutShort(end);
    }
    telemetry.ended(error, response);
  }

  /**
   * One request of the call, an attempt's first or a hedge, from when it asks the gate to its end. Found on
   * the request (a tag) by the stages inside OkHttp.
   */
  final class Leg {
    private final int attempt;
    /** 0 for the attempt's first request, 1.. for its hedges. */
    private final int leg;
    private final CallRecorder.AttemptTimes times;
    /** Its span and counts in the client's telemetry, from when it is handed to OkHttp; null before. */
    private volatile Telemetry.AttemptScope span;
    /** Its wait for the gate is over (admitted, ended or cut short by the call's end). Guarded by this. */
    private boolean waitOver;
    /** Guarded by this. */
    private boolean ended;

    private Leg(int attempt, int leg, CallRecorder.AttemptTimes times) {
      this.attempt = attempt;
      this.leg = leg;
      this.times = times;
    }

    /**
     * The gate admitted it with {@code permit}: a permit that waited makes a governor wait, from when it asked
     * to now, on the client's clock.
     */
    void admitted(AttemptGate.Permit permit) {
      long at = permit.waited().isZero() ? times.askedNanos : Math.max(times.askedNanos, clock.nanoTime());
      boolean first;
      synchronized (this) {
        first = !waitOver;
        waitOver = true;
      }
      times.admitted(at);
      if (scope != null) {
        scope.admittedTo(permit.bucket());
      }
      if (first && at > times.askedNanos) {
        telemetry.governorWait(Duration.ofNanos(at - times.askedNanos));
      }
    }

    /**
     * It is handed to OkHttp as {@code request}: an attempt ({@code leg} 0) or a hedge starts, and the request
     * carries its trace context and this leg.
     */
    void handedOff(okhttp3.Request.Builder request) {
      Telemetry.AttemptScope s;
      if (leg == 0) {
        recorder.attemptBegins();
        s = telemetry.attemptStarted(attempt);
      } else {
        recorder.hedgeSent();
        s = telemetry.hedgeSent(attempt);
      }
      span = s;
      s.inject(request);
      request.tag(Leg.class, this);
    }

    /** OkHttp started its call (see {@link TraceEventListener}). */
    void callStarted() {
      times.callStarted(clock.nanoTime());
    }

    /** The dispatcher queued it: the client is at {@code maxInFlight}. */
    void queued() {
      times.queued();
    }

    /** The dispatcher let it run. */
    void dequeued() {
      times.dequeued(clock.nanoTime());
    }

    void connected() {
      recorder.connected(clock.nanoTime());
    }

    void firstByte() {
      recorder.firstByte(clock.nanoTime());
    }

    /** It was sent again because the server provably never processed it: not an attempt. */
    void replayed() {
      recorder.replayed();
      Telemetry.AttemptScope s = span;
      if (s != null) {
        s.replayed();
      }
    }

    /** Its response's headers arrived with {@code code} over {@code protocol}. */
    void responded(int code, okhttp3.Protocol protocol) {
      recorder.responded(times, code);
      Telemetry.AttemptScope s = span;
      if (s != null) {
        s.responded(code, protocol);
      }
      if (code == 429 && scope != null) {
        scope.rateLimited();
      }
    }

    /** Its response is the one the attempt takes (a hedge's: the hedge won). */
    void took() {
      recorder.took(times, leg > 0);
    }

    /**
     * Its outcome is known ({@code error} null when its response was read to the end), or it will never be
     * sent. A request that ends still waiting for the gate waited for the governor until now. Once; later
     * calls are ignored.
     */
    void ended(Throwable error) {
      long now = clock.nanoTime();
      boolean waiting;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        waiting = !waitOver;
        waitOver = true;
      }
      times.ended(now);
      if (waiting && now > times.askedNanos) {
        telemetry.governorWait(Duration.ofNanos(now - times.askedNanos));
      }
      Telemetry.AttemptScope s = span;
      if (s != null) {
        s.ended(error);
      }
    }

    /** The call ended at {@code end}: if it still waits for the gate, that wait was a governor wait. */
    private void cutShort(long end) {
      synchronized (this) {
        if (waitOver) {
          return;
        }
        waitOver = true;
      }
      if (end > times.askedNanos) {
        telemetry.governorWait(Duration.ofNanos(end - times.askedNanos));
      }
    }
  }
}
