package dev.fanout.internal.telemetry;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import okhttp3.Protocol;
import okhttp3.Request;

/**
 * The SDK's one seam to tracing and metrics: the call path reports what happens (a fan-out starts, a call
 * in it starts, an attempt is sent, a governor made it wait, a hedge went out, the first streamed chunk
 * arrived, each ends) and an implementation turns that into spans and measurements.
 *
 * <p>Inside a call, only the call's event stream ({@code dev.fanout.internal.CallEvents}) speaks to its
 * {@link CallScope}: each fact is told to it once, the same telling the call's trace records, so spans,
 * metrics and {@code stats()} agree with the trace (see the package doc).
 *
 * <p>{@link #noop()} is the default and costs nothing. The OpenTelemetry implementation
 * ({@code internal.telemetry.otel}) implements this interface, and only the client refers to it, on the path
 * taken when it is given an {@code io.opentelemetry.api.OpenTelemetry}: only then is any
 * {@code io.opentelemetry} class loaded, so the SDK runs without the (optional) {@code opentelemetry-api} jar.
 *
 * <h2>Every scope ends exactly once.</h2>
 * Each {@code *Started} returns a scope whose {@code ended} must be called once on every path (success,
 * failure, timeout, cancel, client closed); further calls are ignored. Hooks never throw and never block:
 * they run on OkHttp callbacks and clock threads.
 */
public interface Telemetry {

  /** Returns the telemetry that records nothing. */
  static Telemetry noop() {
    return NoopTelemetry.INSTANCE;
  }

  /**
   * Returns the telemetry that reports every hook to {@code first} and then {@code second} (either alone if
   * the other is {@link #noop()}).
   */
  static Telemetry tee(Telemetry first, Telemetry second) {
    Objects.requireNonNull(first, "first == null");
    Objects.requireNonNull(second, "second == null");
    if (first == NoopTelemetry.INSTANCE) {
      return second;
    }
    if (second == NoopTelemetry.INSTANCE) {
      return first;
    }
    return new TeeTelemetry(first, second);
  }

  /**
   * Returns false if this telemetry reads no arguments ({@link #noop()}, {@link StatsTelemetry}): callers may
   * then skip building them ({@link CallInfo}, a fan-out's scope) and pass {@code null} to
   * {@link #callStarted(CallInfo)}.
   */
  boolean isEnabled();

  /**
   * A fan-out starts, in the caller's current trace context.
   *
   * @param combinator what the fan-out does, such as {@code settleAll} or {@code firstSuccess}
   * @param size how many tasks it runs
   * @param bound its concurrency bound, empty if unbounded
   */
  FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound);

  /** A logical call starts outside any fan-out, in the caller's current trace context. */
  CallScope callStarted(CallInfo call);

  /** One fan-out: the parent of the calls its tasks start. */
  interface FanoutScope {
    /** A logical call starts inside this fan-out. */
    CallScope callStarted(CallInfo call);

    /**
     * The fan-out finished: how its tasks ended, and its own failure ({@code null} if it produced a result;
     * a {@code settleAll} with failed tasks still succeeds).
     */
    void ended(int succeeded, int failed, int cancelled, Throwable error);
  }

  /** One logical call: its attempts, waits and hedges, and its end. */
  interface CallScope {
    /** Attempt {@code n} (1 for the first, 2 for the first retry, ...) is about to be sent. */
    AttemptScope attemptStarted(int n);

    /** A hedge (attempt {@code n}, sent while an earlier attempt still runs) is about to be sent. */
    AttemptScope hedgeSent(int n);

    /** The rate-limit governor held this call for {@code waited} before its next attempt could be sent. */
    void governorWait(Duration waited);

    /** The first chunk of a streamed response arrived (recorded once; later calls are ignored). */
    void firstChunk();

    /**
     * The call finished: {@code error} is {@code null} on success; {@code response} carries what a GenAI
     * response said (model, id, finish reasons, token usage), or is {@code null}.
     */
    void ended(Throwable error, GenAiResponse response);
  }

  /** One HTTP request on the wire. */
  interface AttemptScope {
    /** Adds this attempt's trace context ({@code traceparent}, {@code tracestate}) to the request. */
    void inject(Request.Builder request);

    /**
     * The response headers arrived with {@code statusCode} over {@code protocol} (the HTTP version the
     * connection negotiated; {@code null} if unknown).
     */
    void responded(int statusCode, Protocol protocol);

    /** The response headers arrived with {@code statusCode}, over a protocol not known. */
    default void responded(int statusCode) {
      responded(statusCode, null);
    }

    /**
     * The request was sent again, at once and inside this attempt, because the server provably never
     * processed it (a stale keep-alive connection, a refused HTTP/2 stream): not an attempt. Ignored by default.
     */
    default void replayed() {}

    /** The attempt ended: {@code error} is {@code null} when its response was read to the end. */
    void ended(Throwable error);
  }
}
