package dev.fanout.mock.internal;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
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

  private final Latency latency;
  private final Faults faults;
  private final StatsRecorder stats;
  private final Connections connections;
  private final boolean http2;
  private final long maxBodyBytes;
  private final Runnable onRequest;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Map<String, BackendDispatcher> backends;
  private final AdminDispatcher admin;
  private volatile Profile profile;

  public Router(Latency latency, Faults faults, StatsRecorder stats, Connections connections, boolean http2,
      long maxBodyBytes, Runnable onRequest) {
    this.latency = latency;
    this.faults = faults;
    this.stats = stats;
    this.connections = connections;
    this.http2 = http2;
    this.maxBodyBytes = maxBodyBytes;
    this.onRequest = onRequest;
    this.profile = new Profile(latency, faults);
    this.backends = Map.of(
        Routes.USERS, new UsersDispatcher(),
        Routes.CHAT, new ChatDispatcher(),
        Routes.MODELS, new ModelsDispatcher(),
        Routes.SEARCH, new SearchDispatcher());
    this.admin = new AdminDispatcher(stats::snapshot, this::reset);
  }

  /** Zeroes the stats and restarts the seeded sequences and rate-limit buckets. */
  public void reset() {
    profile = new Profile(latency, faults);
    stats.reset();
  }

  /** The route name of a path (see {@link Routes}). */
  public static String route(String path) {
    if (path.equals("/users") || path.startsWith("/users/")) return Routes.USERS;
    if (path.equals("/v1/chat/completions")) return Routes.CHAT;
    if (path.equals("/v1/models") || path.startsWith("/v1/models/")) return Routes.MODELS;
    if (path.equals("/search") || path.equals("/search/")) return Routes.SEARCH;
    if (path.startsWith("/__admin/")) return Routes.ADMIN;
    return Routes.UNKNOWN;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    onRequest.run();
    String path = request.getUrl().encodedPath();
    String route = route(path);
    if (route.equals(Routes.ADMIN)) {
      stats.countOnly(Routes.ADMIN);
      return BackendDispatcher.render(admin.handle(request));
    }
    StatsRecorder.Exchange exchange = stats.arrive(route);
    TrackedSocket socket = connections.get(request.getConnectionIndex());
    TrackedSocket http1 = http2 ? null : socket;
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
      log.error("mock backend failed on {} {}", request.getMethod(), path, e);
      Reply reply = Reply.error(500, "internal error in the mock server: " + e, "server_error", null, null);
      return render(reply, exchange, http1, false);
    }
  }

  private MockResponse respond(String route, RecordedRequest request, StatsRecorder.Exchange exchange,
      TrackedSocket http1, Pause pause) throws IOException {
    Reply reply;
    if (request.getBodySize() > maxBodyBytes) {
      reply = Reply.error(413, "request body too large: " + request.getBodySize() + " bytes (max " + maxBodyBytes + ")",
          "invalid_request_error", null, "request_too_large");
    } else if (route.equals(Routes.UNKNOWN)) {
      reply = Reply.notFound("no route for " + request.getMethod() + " " + request.getUrl().encodedPath());
    } else {
      reply = backends.get(route).handle(request);
    }
    if (reply.isError()) return render(reply, exchange, http1, false);

    Profile p = profile;
    String[] limit = new String[1];
    long retryNanos = p.admit(route, reply.tokenCost, limit);
    if (retryNanos > 0) {
      stats.fault(Stats.RATE_LIMITED);
      long retryMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(retryNanos + 999_999));
      Reply limited = Reply.error(429, "Rate limit reached for " + route + " (" + limit[0] + "): please try again in "
              + retryMs + "ms.", limit[0], null, "rate_limit_exceeded")
          .header("Retry-After", Long.toString(Math.max(1, (retryMs + 999) / 1000)))
          .header("Retry-After-Ms", Long.toString(retryMs));
      return render(limited, exchange, http1, false);
    }

    String fault = p.drawFault(route);
    Duration delay = p.sampleDelay(route);
    if (fault != null) stats.fault(fault);

    if (Stats.STALL.equals(fault)) {
      pause.clientGone(-1);
      exchange.aborted();
      return gone(http1);
    }
    boolean streamed = reply.isStream() && fault == null;
    if (!streamed && !delay.isZero() && pause.clientGone(delay.toNanos())) {
      exchange.aborted();
      return gone(http1);
    }
    if (fault == null) {
      if (streamed) {
        Latency l = p.latency(route);
        Duration ttft = l.timeToFirstToken() != null ? l.timeToFirstToken() : delay;
        SseBody body = new SseBody(reply.events, ttft.toNanos(), l.perTokenDelay().toNanos(), pause, exchange, http1);
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
      case Stats.ERROR_5XX: {
        int code = p.errorStatus(route);
        String type = code == 503 ? "service_unavailable" : "server_error";
        return render(Reply.error(code, "injected " + code + " error (mock fault)", type, null, null), exchange, http1, false);
      }
      case Stats.DISCONNECT_BEFORE_BODY:
        exchange.aborted();
        if (http1 != null) return gone(http1);
        return new MockResponse.Builder().code(200).body(new FailingBody()).build();
      case Stats.DISCONNECT_DURING_BODY:
        return render(reply.isStream() ? asJson(reply) : reply, exchange, http1, true);
      case Stats.MALFORMED_JSON: {
        byte[] json = reply.isStream() ? asJson(reply).json : reply.json;
        byte[] broken = Arrays.copyOf(json, Math.max(1, json.length / 2));
        return render(Reply.json(200, null).withBody(broken), exchange, http1, false);
      }
      default:
        throw new AssertionError(fault);
    }
  }

  /** A streamed reply's first event as a JSON body, for faults that break the body. */
  private static Reply asJson(Reply reply) {
    return Reply.json(200, null).withBody(reply.events.get(0));
  }

  private static MockResponse render(Reply reply, StatsRecorder.Exchange exchange, TrackedSocket http1,
      boolean disconnectHalfway) {
    MockResponse.Builder b = new MockResponse.Builder().code(reply.code);
    reply.headers.forEach(b::setHeader);
    b.setHeader("Content-Type", "application/json");
    return b.body(new TrackedBody(reply.json, exchange, http1, disconnectHalfway)).build();
  }

  /** The answer to a request whose client is gone (or that a fault cuts off): nothing at all. */
  private static MockResponse gone(TrackedSocket http1) {
    if (http1 != null) {
      http1.kill(); // MockWebServer's writes are swallowed; its next read sees end of stream
      return new MockResponse.Builder().code(200).build();
    }
    return new MockResponse.Builder().code(200).body(new FailingBody()).build();
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
