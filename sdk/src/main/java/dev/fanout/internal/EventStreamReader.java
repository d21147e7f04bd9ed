package dev.fanout.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.FanoutClock;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutException;
import dev.fanout.internal.telemetry.GenAiResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * What the chat and the Messages API stream readers share: one attempt's server-sent events read on the
 * response's thread under an idle timer and the {@code maxResponseBytes} cap, each event's data parsed as a
 * JSON object, and the failure that ended the stream early kept until the result is asked for. A subclass
 * reads the events ({@link #read}), sets {@link #done} at the stream's last event and assembles the result.
 * Not public API.
 */
abstract class EventStreamReader<T> extends EventSourceListener {
  final AttemptContext call;
  final Redaction.Secrets secrets;
  final IdleWatch idle;
  private final long maxBytes;
  private long bytes;
  /** Pieces (deltas, events) handed on so far; an error message reports how far the stream got. */
  long deltas;
  /** The stream's last event has been read: what follows is ignored, and the result stands. */
  boolean done;
  private Throwable failure;

  /**
   * Makes the reader of one attempt's stream, on the response's thread once the attempt has answered: its
   * events capped at {@code maxBytes}, the request's {@code secrets} kept out of what it reports.
   */
  interface Factory<T> {
    EventStreamReader<T> open(AttemptContext call, long maxBytes, Redaction.Secrets secrets, Response response,
        IdleWatch idle);
  }

  /**
   * Starts {@code request} on {@code engine} as a streamed call: asks for {@code text/event-stream}, reads each
   * attempt's stream with a reader from {@code readers} ({@link #readAll}) under the engine's stream idle timeout
   * and {@code maxResponseBytes}, and tells the call the result's telemetry.
   */
  static <T> CompletableFuture<T> start(HttpEngine engine, Request request, Factory<T> readers,
      Function<T, GenAiResponse> telemetry, CallOptions options) {
    Request http = request.newBuilder().header("Accept", "text/event-stream").build();
    long maxBytes = engine.maxResponseBytes();
    FanoutClock clock = engine.clock();
    Duration idleTimeout = engine.streamIdleTimeout();
    return engine.start(http, (response, call) -> {
      IdleWatch idle = new IdleWatch(call, clock, idleTimeout);
      T value = readers.open(call, maxBytes, Redaction.Secrets.of(response.request()), response, idle)
          .readAll(response);
      call.genAiResponse(telemetry.apply(value));
      return value;
    }, options);
  }

  EventStreamReader(AttemptContext call, long maxBytes, Redaction.Secrets secrets, IdleWatch idle) {
    this.call = call;
    this.maxBytes = maxBytes;
    this.secrets = secrets;
    this.idle = idle;
  }

  /**
   * An error event as the error response of {@code status} it stands for: {@code response}'s request and
   * headers, redacted, and the event as the body (so {@link dev.fanout.errors.ServiceException#errorType()}
   * and the others read it).
   */
  final dev.fanout.errors.ErrorResponse errorResponse(Response response, int status,
      com.fasterxml.jackson.databind.JsonNode event) {
    return new dev.fanout.errors.ErrorResponse(status, response.request().method(), Redaction.url(response.request()),
        Redaction.headers(response.headers(), secrets), secrets.redact(event.toString()));
  }

  /**
   * Reads {@code response}'s events (its body capped at {@code maxResponseBytes}, its line endings made
   * standard), stops the idle timer, and returns the assembled result or throws what ended the stream.
   */
  final T readAll(Response response) throws IOException {
    try {
      // A lone \r must not spin OkHttp's SSE reader.
      EventSources.processResponse(SseLineEndings.normalize(Bodies.capped(response, maxBytes, call.label())), this);
    } finally {
      idle.stop();
    }
    return result();
  }

  @Override
  public final void onEvent(EventSource source, String eventId, String type, String data) {
    if (done) {
      return; // anything after the stream's last event is ignored
    }
    // Only progress re-arms the idle timer: read calls idle.progress() for what counts.
    idle.event(() -> read(source, type, data));
  }

  /** Reads one event; throws a {@link DecodeException} naming what was wrong with it. */
  abstract void read(EventSource source, String type, String data);

  /** Counts {@code data} towards {@code maxResponseBytes}; throws once the stream has sent more. */
  final void count(String data) {
    bytes += data.length();
    if (bytes > maxBytes) {
      throw new DecodeException(call.label() + ": stream exceeds maxResponseBytes " + maxBytes);
    }
  }

  /** Parses {@code data} as a JSON object; throws naming what it was otherwise. */
  final JsonNode object(String data) {
    JsonNode event;
    try {
      event = Json.MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      throw new DecodeException(call.label() + ": stream event is not JSON: " + abbreviate(data), secrets.scrub(e));
    }
    if (event == null || !event.isObject()) {
      throw new DecodeException(call.label() + ": stream event is not a JSON object: " + abbreviate(data));
    }
    return event;
  }

  @Override
  public final void onFailure(EventSource source, Throwable t, Response response) {
    if (done) {
      return; // after the last event: the reader's own cancel, or the server closing abruptly; the result stands
    }
    failure = t != null ? t : new DecodeException(call.label() + ": stream failed");
  }

  /**
   * Returns the result assembled from a stream that ended with its last event; otherwise throws what ended
   * it: the idle timeout, the transport's {@link IOException} or the SDK's own exception as they are,
   * anything else as a {@link DecodeException} (message redacted), or a stream cut short as a
   * {@link DecodeException} saying how far it got.
   */
  final T result() throws IOException {
    if (idle.timedOut() && !done) {
      throw idle.error(deltas);
    }
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof FanoutException f) {
      throw f;
    }
    if (failure != null) {
      throw new DecodeException(call.label() + ": " + secrets.redact(String.valueOf(failure.getMessage())),
          secrets.scrub(failure));
    }
    if (!done) {
      throw new DecodeException(call.label() + ": " + unfinished());
    }
    return OpenAi.decode(call.label(), assembled(), this::decode);
  }

  /** Says how far a stream that ended without its last event got, e.g. "stream ended without [DONE] after ...". */
  abstract String unfinished();

  /** Returns the response JSON assembled from the events read, as the non-streaming call would have got it. */
  abstract ObjectNode assembled();

  /** Decodes the assembled JSON; a {@link DecodeException} it throws gets the call's label in front. */
  abstract T decode(ObjectNode json);

  /** Returns what the server sent, on one line, its credentials taken out before it is cut to 120 chars. */
  final String abbreviate(String s) {
    return secrets.excerpt(s.replaceAll("\\s+", " "), 120);
  }
}
