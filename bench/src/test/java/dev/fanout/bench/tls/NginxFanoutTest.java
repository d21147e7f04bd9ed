package dev.fanout.bench.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.MockTls;
import dev.fanout.users.User;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fan-out with the client's default options through nginx's HTTP/2, an implementation that is not ours: its
 * stream limit, its GOAWAY after {@code keepalive_requests}, and the GOAWAY of a graceful reload cost no call
 * and no attempt. Skipped where nginx is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxFanoutTest {
  private static final MockTls TLS = MockTls.generate("127.0.0.1");

  @TempDir Path dir;

  @BeforeEach
  void nginxIsInstalled() {
    assumeTrue(NginxFront.version(NginxFront.DEFAULT_NGINX) != null, "nginx is not installed (apt-get install nginx-light)");
  }

  @Test
  void aSmallStreamLimitIsKeptSoNoStreamIsRefused() throws Exception {
    int n = 200;
    int streams = 8;
    try (MockBackend backend = backend(Duration.ofMillis(200));
        NginxFront nginx = NginxFront.start(NginxFront.DEFAULT_NGINX, dir, port(backend), TLS, streams, 0, n);
        FanoutClient client = client(nginx)) {
      long before = nginx.accepted();

      assertThat(fanOut(client, n)).allMatch(Outcome::isSuccess);

      // OkHttp applies a new connection's SETTINGS late; until then it would put any number of calls on it
      assertThat(client.stats().replays()).as("streams nginx refused and the client sent again").isZero();
      assertThat(client.stats().attemptsStarted()).isEqualTo(n);
      assertThat(nginx.accepted() - before).isBetween(1L, 2L * ((n + streams - 1) / streams));
    }
  }

  @Test
  void goAwayAfterKeepaliveRequestsCostsNoAttempt() throws Exception {
    int n = 300;
    int keepaliveRequests = 50;
    try (MockBackend backend = backend(Duration.ofMillis(100));
        NginxFront nginx = NginxFront.start(NginxFront.DEFAULT_NGINX, dir, port(backend), TLS, 128, keepaliveRequests, n);
        FanoutClient client = client(nginx)) {
      long before = nginx.accepted();

      assertThat(fanOut(client, n)).allMatch(Outcome::isSuccess);

      // nginx serves at most 50 requests a connection, then sends GOAWAY: the calls moved to new connections
      assertThat(nginx.accepted() - before).isGreaterThanOrEqualTo(n / keepaliveRequests);
      assertThat(client.stats().attemptsStarted()).as("streams above a GOAWAY are sent again, not retried")
          .isEqualTo(n);
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).completed()).isEqualTo(n);
    }
  }

  @Test
  void aGracefulReloadDuringAFanOutFailsNoCall() throws Exception {
    int n = 300;
    try (MockBackend backend = backend(Duration.ofSeconds(1));
        NginxFront nginx = NginxFront.start(NginxFront.DEFAULT_NGINX, dir, port(backend), TLS, 128, 0, n);
        FanoutClient client = client(nginx)) {
      FanoutFuture<List<Outcome<User>>> run = start(client, n);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (backend.stats().inFlight() == 0 && System.nanoTime() < deadline) {
        // polls the backend's counter: the first calls are at the backend, behind nginx's current workers
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(backend.stats().inFlight()).isPositive();

      nginx.reload(); // the old workers send GOAWAY and finish the streams they took

      assertThat(run.await()).allMatch(Outcome::isSuccess);
      assertThat(client.stats().attemptsStarted()).isEqualTo(n);
    }
  }

  private static MockBackend backend(Duration latency) {
    return MockBackend.builder().engine(Engine.NETTY).latency(Latency.fixed(latency)).start();
  }

  private static int port(MockBackend backend) {
    return URI.create(backend.url()).getPort();
  }

  /** The client's default options but one: the test CA is trusted. */
  private static FanoutClient client(NginxFront nginx) {
    return FanoutClient.builder().baseUrl(nginx.url()).trustedCertificatesPem(TLS.caCertificatePem()).build();
  }

  private static FanoutFuture<List<Outcome<User>>> start(FanoutClient client, int n) {
    List<Long> ids = LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
    return Fanout.settleAll(ids, (id, ctx) -> client.users().withContext(ctx).getAsync(id),
        FanoutOptions.builder().build());
  }

  private static List<Outcome<User>> fanOut(FanoutClient client, int n) throws Exception {
    return start(client, n).await();
  }
}
