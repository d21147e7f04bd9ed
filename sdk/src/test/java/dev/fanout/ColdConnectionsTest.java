package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fan-out's first calls to an HTTPS host open the connections they need, not one per call: HTTP/2 about
 * one per stream limit of calls in flight; HTTP/1.1 one per call, all at once, as before.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ColdConnectionsTest {
  private static final int N = 300;
  private static final int STREAMS = 16;

  /**
   * Loads OkHttp's HTTP/2 and TLS classes first: in a cold JVM, OkHttp can take longer than the gate's wait to
   * apply a new connection's SETTINGS, and the gate then goes on an assumed limit above this test's 16.
   */
  @org.junit.jupiter.api.BeforeAll
  static void warmUp() throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).latency(Latency.none()).start();
        FanoutClient client = client(backend)) {
      fanOut(client, 4);
    }
  }

  private static FanoutClient client(MockBackend backend, Protocol... protocols) {
    HandshakeCertificates trust = backend.tlsCertificates().clientHandshake();
    OkHttpClient.Builder ok = new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
    if (protocols.length > 0) ok.protocols(List.of(protocols));
    return FanoutClient.builder().baseUrl(backend.url()).okHttpClient(ok.build()).build();
  }

  private static List<User> fanOut(FanoutClient client, int n) throws Exception {
    List<CompletableFuture<User>> calls = new ArrayList<>();
    for (int id = 1; id <= n; id++) calls.add(client.users().getAsync(id));
    List<User> users = new ArrayList<>();
    for (CompletableFuture<User> f : calls) users.add(f.get(60, TimeUnit.SECONDS));
    return users;
  }

  @Test
  void http2OpensAboutOneConnectionPerStreamLimitOfCallsInFlight() throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).maxConcurrentStreams(STREAMS)
            .latency(Latency.fixed(Duration.ofMillis(500))).start();
        FanoutClient client = client(backend)) {
      // without the gate, calls opened connections of their own and OkHttp put more streams on a new one
      // than the server's limit before its SETTINGS arrived: REFUSED_STREAM failed calls here
      assertThat(fanOut(client, N)).hasSize(N);
      long needed = (N + STREAMS - 1) / STREAMS;
      assertThat(backend.connectionStats().accepted()).isBetween(2L, 2 * needed);
      // OkHttp gives a new connection no more calls than the gate counts for it, also before it has applied
      // that connection's SETTINGS: no stream is sent above the server's limit, so none is refused and sent again
      assertThat(client.stats().replays()).as("streams the server refused").isZero();
      assertThat(client.stats().attemptsStarted()).isEqualTo(N);
      // the server counts a response once its last write is done, which can be after the client has read it
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).completed()).isEqualTo(N);
    }
  }

  @Test
  void http11OverTlsStillOpensAConnectionPerCallAtOnce() throws Exception {
    int n = 40;
    Duration latency = Duration.ofSeconds(1);
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true)
            .latency(Latency.fixed(latency)).start();
        FanoutClient client = client(backend, Protocol.HTTP_1_1)) {
      long t0 = System.nanoTime();
      assertThat(fanOut(client, n)).hasSize(n);
      // together, not one connection (or one call) after another
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(latency.multipliedBy(n / 4));
      assertThat(backend.stats().maxInFlight()).isGreaterThan(1);
      assertThat(backend.connectionStats().accepted()).isGreaterThan(1);
    }
  }
}
