package dev.fanout.mock.internal;

import dev.fanout.mock.Stats;
import java.time.Duration;
import java.util.Arrays;

/**
 * What a backend does with one request, decided before any waiting: answer at once (bad input, 413,
 * 404, 429), or wait {@link #delay()} and then answer with the payload or act out {@link #fault()}.
 * Made by {@link Decider}; acted out by each engine (MockWebServer's {@link Router}, the Netty engine).
 */
public final class Decision {
  private final Reply reply;
  private final boolean immediate;
  private final String fault;
  private final Duration delay;
  private final long firstTokenNanos;
  private final long perTokenNanos;
  private final int errorStatus;

  Decision(Reply reply, boolean immediate, String fault, Duration delay, long firstTokenNanos, long perTokenNanos,
      int errorStatus) {
    this.reply = reply;
    this.immediate = immediate;
    this.fault = fault;
    this.delay = delay;
    this.firstTokenNanos = firstTokenNanos;
    this.perTokenNanos = perTokenNanos;
    this.errorStatus = errorStatus;
  }

  static Decision now(Reply reply) {
    return new Decision(reply, true, null, Duration.ZERO, 0, 0, 0);
  }

  /** The backend's reply: the payload, or (when {@link #immediate()}) a 4xx to send at once. */
  public Reply reply() {
    return reply;
  }

  /** True if {@link #reply()} goes out at once: no delay, no fault. */
  public boolean immediate() {
    return immediate;
  }

  /** The injected fault, one of the {@link Stats} fault kinds other than rate limiting; null for none. */
  public String fault() {
    return fault;
  }

  /** How long to wait before answering (for an unfaulted stream: see {@link #firstTokenNanos()}). */
  public Duration delay() {
    return delay;
  }

  /** True if the answer is a paced server-sent event stream (a streamed chat completion, no fault). */
  public boolean streamed() {
    return !immediate && fault == null && reply.isStream();
  }

  /** For a stream: the wait before the first event (the route's time to first token, else its delay). */
  public long firstTokenNanos() {
    return firstTokenNanos;
  }

  /** For a stream: the wait between events. */
  public long perTokenNanos() {
    return perTokenNanos;
  }

  /** For {@link Stats#ERROR_5XX}: the injected error reply (500, 502 or 503). */
  public Reply errorReply() {
    if (reply.anthropic) {
      // Anthropic answers an overloaded service 529 overloaded_error, any other failure 500 api_error.
      return errorStatus == 503
          ? Reply.anthropicError(529, "overloaded_error", "Overloaded (mock fault)").withRateLimitHeaders(reply)
          : Reply.anthropicError(errorStatus, "api_error", "Internal server error (mock fault " + errorStatus + ")")
              .withRateLimitHeaders(reply);
    }
    String type = errorStatus == 503 ? "service_unavailable" : "server_error";
    return Reply.error(errorStatus, "injected " + errorStatus + " error (mock fault)", type, null, null)
        .withRateLimitHeaders(reply);
  }

  /** For {@link Stats#DISCONNECT_DURING_BODY}: the JSON reply whose body is cut halfway (a stream's first event). */
  public Reply bodyToCut() {
    return reply.isStream() ? Reply.json(200, null).withBody(reply.events.get(0)) : reply;
  }

  /** For {@link Stats#MALFORMED_JSON}: a 200 whose JSON body stops halfway. */
  public Reply malformedReply() {
    byte[] json = reply.isStream() ? reply.events.get(0) : reply.json;
    return Reply.json(200, null).withRateLimitHeaders(reply)
        .withBody(Arrays.copyOf(json, Math.max(1, json.length / 2)));
  }
}
