package dev.fanout.mock.internal;

import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router: picks the backend {@link BackendDispatcher} by path and wraps its reply with what a
 * real latency-bound service does: request stats, rate limiting, seeded faults, and a delay that
 * holds only the request's own connection thread (so N concurrent requests take about one delay).
 *
 * <p>Order per request: count it; reject bad input at once (4xx, no delay, no fault draw); rate
 * limit (429 at once); draw a fault; wait the delay (returning early if the client goes away);
 * answer. Admin routes skip everything but the count.
 */
public final class Router extends Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final StatsRecorder stats;
  private final Connections connections;
  private final boolean http2;
  private final boolean rawHttp1;
  private final Runnable onRequest;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Decider decider;
  private final RequestLog requests;

  /**
   * A router deciding with {@code decider}, writing every request to {@code requests}; {@code onRequest} runs
   * first for each request (the engine drops MockWebServer's own copy of it there). {@code http2} says the
   * server speaks h2c only; {@code rawHttp1} that its sockets carry cleartext HTTP/1.1 (neither h2c nor TLS),
   * so byte-level faults can act on them.
   */
  public Router(Decider decider, StatsRecorder stats, Connections connections, boolean http2, boolean rawHttp1,
      RequestLog requests, Runnable onRequest) {
    this.stats = stats;
    this.connections = connections;
    this.http2 = http2;
    this.rawHttp1 = rawHttp1;
    this.onRequest = onRequest;
    this.decider = decider;
    this.requests = requests;
  }

  /** Zeroes the stats and restarts the seeded sequences and rate-limit buckets. */
  public void reset() {
    decider.reset();
  }

  /** The route name of a path (see {@link Routes}). */
  public static String route(String path) {
    if (path.equals("/users") || path.startsWith("/users/")) return Routes.USERS;
    if (path.equals("/v1/chat/completions")) return Routes.CHAT;
    if (path.equals("/v1/embeddings")) return Routes.EMBEDDINGS;
    if (path.equals("/v1/messages")) return Routes.MESSAGES;
    if (path.equals(MessagesDispatcher.COUNT_TOKENS_PATH)) return Routes.COUNT_TOKENS;
    if (path.equals("/v1/models") || path.startsWith("/v1/models/")) return Routes.MODELS;
    if (path.equals("/search") || path.equals("/search/")) return Routes.SEARCH;
    if (path.startsWith("/__admin/")) return Routes.ADMIN;
    if (path.equals("/v1/files") || path.startsWith("/v1/files/") || path.equals("/v1/batches")
        || path.startsWith("/v1/batches/")) return Routes.BATCH;
    return Routes.UNKNOWN;
  }

  @Override
  public MockResponse dispatch(RecordedRequest recorded) throws InterruptedException {
    onRequest.run();
    ReceivedRequest request = requests.receive(MockWebServerEngine.received(recorded, http2));
    String path = request.path();
    String route = route(path);
    if (route.equals(Routes.ADMIN)) {
      stats.countOnly(Routes.ADMIN);
      requests.keep(request);
      return BackendDispatcher.render(decider.admin(request));
    }
    if (route.equals(Routes.BATCH)) {
      stats.countOnly(Routes.BATCH);
      requests.keep(request);
      return BackendDispatcher.render(decider.batch(request));
    }
    StatsRecorder.Exchange exchange = stats.arrive(route);
    TrackedSocket socket = connections.get(request.connectionIndex());
    TrackedSocket http1 = rawHttp1 ? socket : null;
    if (socket != null) {
      socket.attach(exchange);
      exchange.onDone(() -> socket.detach(exchange));
    }
    Pause pause = http1 != null ? Pause.of(http1) : Pause.untilClosed(closing);
    try {
      return respond(route, request, exchange, http1, pause);
    } catch (IOException e) {
      exchange.aborted();
      return gone(http1);
    } catch (RuntimeException e) {
      log.error("mock backend failed on {} {}", request.method(), path, e);
      Reply reply = Reply.error(500, "internal error in the mock server: " + e, "server_error", null, null);
      return render(reply, exchange, http1, false);
    }
  }

  private MockResponse respond(String route, ReceivedRequest request, StatsRecorder.Exchange exchange,
      TrackedSocket http1, Pause pause) throws IOException {
    Decision d;
    try {
      d = decider.decide(route, request);
    } finally {
      requests.keep(request); // once counted and decided: a test that took it knows its seeded decision was drawn
    }
    Reply reply = d.reply();
    if (d.immediate()) return render(reply, exchange, http1, false);
    String fault = d.fault();
    Duration delay = d.delay();

    if (Stats.STALL.equals(fault)) {
      pause.clientGone(-1);
      exchange.aborted();
      return gone(http1);
    }
    boolean streamed = d.streamed();
    if (!streamed && !delay.isZero() && pause.clientGone(delay.toNanos())) {
      exchange.aborted();
      return gone(http1);
    }
    if (fault == null) {
      if (streamed) {
        SseBody body = new SseBody(reply, d.firstTokenNanos(), d.perTokenNanos(), pause, exchange, http1);
        MockResponse.Builder b = new MockResponse.Builder().code(200);
        reply.headers.forEach(b::setHeader);
        b.setHeader("Content-Type", SseBody.CONTENT_TYPE).setHeader("Cache-Control", "no-cache").body(body);
        b.removeHeader("Content-Length");
        if (http1 != null) b.setHeader("Transfer-Encoding", "chunked");
        return b.build();
      }
      return render(reply, exchange, http1, false);
    }
    switch (fault) {
      case Stats.ERROR_5XX:
        return render(d.errorReply(), exchange, http1, false);
      case Stats.DISCONNECT_BEFORE_BODY:
        exchange.aborted();
        if (http1 != null) return gone(http1);
        return new MockResponse.Builder().code(200).body(new FailingBody()).build();
      case Stats.DISCONNECT_DURING_BODY:
        return render(d.bodyToCut(), exchange, http1, true);
      case Stats.MALFORMED_JSON:
        return render(d.malformedReply(), exchange, http1, false);
      default:
        throw new AssertionError(fault);
    }
  }

  private static MockResponse render(Reply reply, StatsRecorder.Exchange exchange, TrackedSocket http1,
      boolean disconnectHalfway) {
    MockResponse.Builder b = new MockResponse.Builder().code(reply.code);
    reply.headers.forEach(b::setHeader);
    b.setHeader("Content-Type", reply.contentType);
    return b.body(new TrackedBody(reply.json, exchange, http1, disconnectHalfway)).build();
  }

  /** The answer to a request whose client is gone (or that a fault cuts off): nothing at all. */
  /** RFC 9113 section 7: the stream is no longer needed. */
  private static final int HTTP2_CANCEL = 0x8;

  private static MockResponse gone(TrackedSocket http1) {
    if (http1 != null) {
      http1.kill(); // MockWebServer's writes are swallowed; its next read sees end of stream
      return new MockResponse.Builder().code(200).build();
    }
    // HTTP/2: reset the stream before any header goes out. A 200 whose body fails could reach a client as a
    // complete empty answer when the connection is closing.
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseStream(HTTP2_CANCEL))
        .build();
  }

  /** Releases every delayed response at once; called when the server closes. */
  @Override
  public void close() {
    closing.countDown();
  }

  public void beginClose() {
    closing.countDown();
  }

  /** A body that fails before writing a byte: the HTTP/2 stream is reset. */
  private static final class FailingBody implements mockwebserver3.MockResponseBody {
    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      throw new IOException("injected disconnect");
    }
  }

}
