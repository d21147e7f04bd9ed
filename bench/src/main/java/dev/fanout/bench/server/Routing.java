package dev.fanout.bench.server;

import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.Routes;
import dev.fanout.mock.internal.AdminDispatcher;
import dev.fanout.mock.internal.ChatDispatcher;
import dev.fanout.mock.internal.ModelsDispatcher;
import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.Router;
import dev.fanout.mock.internal.SearchDispatcher;
import dev.fanout.mock.internal.StatsRecorder;
import dev.fanout.mock.internal.UsersDispatcher;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.Buffer;
import okio.ByteString;

/**
 * The routes, shared with the mock-server: a request becomes a {@link RecordedRequest}, the mock-server's
 * own dispatcher for its route renders the answer, and this class turns it into a Netty response and says
 * how long to hold it. Bad input (4xx) is answered at once, as the mock-server's router does.
 *
 * <p>Scope of this engine: fixed latency per route, no jitter and no injected faults, and a streamed chat
 * completion is sent whole after the delay (no per-token pacing).
 */
final class Routing {
  private final Latency latency;
  private final StatsRecorder stats;
  private final int maxBodyBytes;
  private final Map<String, Dispatcher> backends = Map.of(
      Routes.USERS, new UsersDispatcher(),
      Routes.CHAT, new ChatDispatcher(),
      Routes.MODELS, new ModelsDispatcher(),
      Routes.SEARCH, new SearchDispatcher());
  private final AdminDispatcher admin;

  Routing(Latency latency, StatsRecorder stats, int maxBodyBytes) {
    requireSupported(latency);
    this.latency = latency;
    this.stats = stats;
    this.maxBodyBytes = maxBodyBytes;
    this.admin = new AdminDispatcher(stats::snapshot, stats::reset);
  }

  /** Fails for a latency this engine cannot model yet (jitter), naming it. */
  static void requireSupported(Latency latency) {
    if (latency.jitter().kind() != Jitter.Kind.NONE) {
      throw new IllegalArgumentException("the netty engine models fixed delays only, not jitter: " + latency);
    }
    for (Latency l : latency.routes().values()) {
      if (l.jitter().kind() != Jitter.Kind.NONE) {
        throw new IllegalArgumentException("the netty engine models fixed delays only, not jitter: " + latency);
      }
    }
  }

  StatsRecorder stats() {
    return stats;
  }

  /** What to send for a request, and after how long; the exchange is null for admin routes. */
  record Answer(FullHttpResponse response, long delayNanos, StatsRecorder.Exchange exchange) {}

  /** Answers {@code request}, which arrived as exchange {@code exchangeIndex} of connection {@code connectionIndex}. */
  Answer answer(FullHttpRequest request, String host, boolean http2, int connectionIndex, int exchangeIndex) {
    RecordedRequest recorded = record(request, host, http2, connectionIndex, exchangeIndex);
    String route = Router.route(recorded.getUrl().encodedPath());
    if (route.equals(Routes.ADMIN)) {
      stats.countOnly(Routes.ADMIN);
      return new Answer(render(admin.dispatch(recorded)), 0, null);
    }
    StatsRecorder.Exchange exchange = stats.arrive(route);
    try {
      if (recorded.getBodySize() > maxBodyBytes) {
        return new Answer(render(Reply.error(413, "request body too large: " + recorded.getBodySize()
            + " bytes (max " + maxBodyBytes + ")", "invalid_request_error", null, "request_too_large")), 0, exchange);
      }
      Dispatcher backend = backends.get(route);
      if (backend == null) {
        return new Answer(render(Reply.notFound("no route for " + recorded.getMethod() + " "
            + recorded.getUrl().encodedPath())), 0, exchange);
      }
      MockResponse response = backend.dispatch(recorded);
      long delay = response.getCode() >= 400 ? 0 : latency.forRoute(route).delay().toNanos();
      return new Answer(render(response), delay, exchange);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.aborted();
      throw new IllegalStateException("interrupted while answering " + recorded.getRequestLine(), e);
    } catch (RuntimeException e) {
      return new Answer(render(Reply.error(500, "internal error in the mock server: " + e, "server_error", null, null)),
          0, exchange);
    }
  }

  private static RecordedRequest record(FullHttpRequest request, String host, boolean http2, int connectionIndex,
      int exchangeIndex) {
    Headers.Builder headers = new Headers.Builder();
    for (Entry<String, String> h : request.headers()) headers.addUnsafeNonAscii(h.getKey(), h.getValue());
    byte[] body = ByteBufUtil.getBytes(request.content());
    String target = request.uri();
    HttpUrl url = HttpUrl.get("http://" + host + (target.startsWith("/") ? target : "/" + target));
    return new RecordedRequest(connectionIndex, exchangeIndex, null, List.of(), request.method().name(), target,
        http2 ? "HTTP/2" : request.protocolVersion().text(), url, headers.build(), ByteString.of(body), body.length,
        List.of(), null);
  }

  private static FullHttpResponse render(MockResponse response) {
    Buffer body = new Buffer();
    MockResponseBody b = response.getBody();
    if (b != null) {
      try {
        b.writeTo(body);
      } catch (IOException e) {
        throw new IllegalStateException("cannot render a mock body", e);
      }
    }
    byte[] bytes = body.readByteArray();
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.getCode()),
        Unpooled.wrappedBuffer(bytes));
    Headers headers = response.getHeaders();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      if (name.equalsIgnoreCase("Transfer-Encoding") || name.equalsIgnoreCase("Content-Length")) continue;
      r.headers().add(name, headers.value(i));
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return r;
  }

  /** An error reply of the mock-server (its JSON shape), sent at once. */
  private static FullHttpResponse render(Reply reply) {
    byte[] bytes = reply.body();
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.code()),
        Unpooled.wrappedBuffer(bytes));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return r;
  }
}
