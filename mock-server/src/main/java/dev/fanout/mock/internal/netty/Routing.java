package dev.fanout.mock.internal.netty;

import dev.fanout.mock.Routes;
import dev.fanout.mock.internal.Decider;
import dev.fanout.mock.internal.Decision;
import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.Router;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.List;
import java.util.Map.Entry;
import java.util.function.Consumer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge to the mock-server's route code: a Netty request becomes a {@link RecordedRequest}, the
 * shared {@link Decider} decides (route, bad input, rate limit, fault, delay), and a {@link Play} acts it
 * out on the wire. Thread-safe.
 */
final class Routing {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  private final Decider decider;
  private final StatsRecorder stats;
  private final Consumer<RecordedRequest> recorder;
  private final long maxBodyBytes;

  Routing(Decider decider, StatsRecorder stats, Consumer<RecordedRequest> recorder, long maxBodyBytes) {
    this.decider = decider;
    this.stats = stats;
    this.recorder = recorder;
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
    RecordedRequest recorded = record(request, host, http2, connectionIndex, exchangeIndex);
    recorder.accept(recorded);
    String path = recorded.getUrl().encodedPath();
    String route = Router.route(path);
    if (route.equals(Routes.ADMIN)) {
      stats.countOnly(Routes.ADMIN);
      wire.send(decider.admin(recorded), null);
      return null;
    }
    StatsRecorder.Exchange exchange = stats.arrive(route);
    Decision decision;
    try {
      decision = decider.decide(route, recorded);
    } catch (RuntimeException e) {
      log.error("mock backend failed on {} {}", recorded.getMethod(), path, e);
      wire.send(Reply.error(500, "internal error in the mock server: " + e, "server_error", null, null), exchange);
      return null;
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

  private static RecordedRequest record(FullHttpRequest request, String host, boolean http2, int connectionIndex,
      int exchangeIndex) {
    Headers.Builder headers = new Headers.Builder();
    for (Entry<String, String> h : request.headers()) headers.addUnsafeNonAscii(h.getKey(), h.getValue());
    byte[] body = ByteBufUtil.getBytes(request.content());
    String target = request.uri();
    HttpUrl url = HttpUrl.parse("http://" + host + (target.startsWith("/") ? target : "/" + target));
    if (url == null) url = HttpUrl.get("http://localhost/");
    return new RecordedRequest(connectionIndex, exchangeIndex, null, List.of(), request.method().name(), target,
        http2 ? "HTTP/2" : request.protocolVersion().text(), url, headers.build(), ByteString.of(body), body.length,
        List.of(), null);
  }
}
