package dev.fanout.mock.internal.netty;

import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.internal.Decider;
import dev.fanout.mock.internal.Decision;
import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.RequestLog;
import dev.fanout.mock.internal.Router;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map.Entry;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge to the mock-server's route code: a Netty request becomes a {@link ReceivedRequest}, the
 * shared {@link Decider} decides (route, bad input, rate limit, fault, delay), and a {@link Play} acts it
 * out on the wire. Thread-safe.
 */
final class Routing {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  private final Decider decider;
  private final StatsRecorder stats;
  private final RequestLog requests;
  private final long maxBodyBytes;

  Routing(Decider decider, StatsRecorder stats, RequestLog requests, long maxBodyBytes) {
    this.decider = decider;
    this.stats = stats;
    this.requests = requests;
    this.maxBodyBytes = maxBodyBytes;
  }

  long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Answers {@code request}, exchange {@code exchangeIndex} of connection {@code connectionIndex}: sends it
   * at once, or returns the {@link Play} (not yet started) that the caller tracks and then starts.
   */
  Play answer(FullHttpRequest request, String host, boolean http2, int connectionIndex, int exchangeIndex, Wire wire) {
    ReceivedRequest recorded = requests.receive(received(request, host, http2, connectionIndex, exchangeIndex));
    String path = recorded.path();
    String route = Router.route(path);
    if (route.equals(Routes.ADMIN)) {
      stats.countOnly(Routes.ADMIN);
      requests.keep(recorded);
      wire.send(decider.admin(recorded), null);
      return null;
    }
    if (route.equals(Routes.BATCH)) {
      stats.countOnly(Routes.BATCH);
      requests.keep(recorded);
      wire.send(decider.batch(recorded), null);
      return null;
    }
    StatsRecorder.Exchange exchange = stats.arrive(route);
    Decision decision;
    try {
      decision = decider.decide(route, recorded);
    } catch (RuntimeException e) {
      log.error("mock backend failed on {} {}", recorded.method(), path, e);
      wire.send(Reply.error(500, "internal error in the mock server: " + e, "server_error", null, null), exchange);
      return null;
    } finally {
      requests.keep(recorded); // once counted and decided: a test that took it knows its seeded decision was drawn
    }
    return new Play(decision, exchange, wire);
  }

  /** Answers a request whose body is over the limit (HTTP/1, cut off by the aggregator): 413 at once. */
  void tooLarge(String uri, long contentLength, Wire wire) {
    HttpUrl url = HttpUrl.parse("http://localhost" + (uri.startsWith("/") ? uri : "/" + uri));
    String path = url == null ? uri : url.encodedPath();
    StatsRecorder.Exchange exchange = stats.arrive(Router.route(path));
    String size = contentLength >= 0 ? contentLength + " bytes" : "more than " + maxBodyBytes + " bytes";
    wire.send(Reply.error(413, "request body too large: " + size + " (max " + maxBodyBytes + ")",
        "invalid_request_error", null, "request_too_large"), exchange);
  }

  /** Answers a request the HTTP/1 codec could not parse: 400 at once, naming the cause; counted as unknown. */
  void unparseable(String cause, Wire wire) {
    StatsRecorder.Exchange exchange = stats.arrive(Routes.UNKNOWN);
    wire.send(Reply.badRequest("bad request: " + cause, null), exchange);
  }

  private static ReceivedRequest.Builder received(FullHttpRequest request, String host, boolean http2,
      int connectionIndex, int exchangeIndex) {
    Headers.Builder headers = new Headers.Builder();
    for (Entry<String, String> h : request.headers()) headers.addUnsafeNonAscii(h.getKey(), h.getValue());
    Protocol protocol = http2 ? Protocol.H2_PRIOR_KNOWLEDGE
        : request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? Protocol.HTTP_1_0 : Protocol.HTTP_1_1;
    return ReceivedRequest.builder()
        .connectionIndex(connectionIndex)
        .exchangeIndex(exchangeIndex)
        .method(request.method().name())
        .target(request.uri())
        .host(host)
        .protocol(protocol)
        .headers(headers.build())
        .body(ByteBufUtil.getBytes(request.content()));
  }
}
