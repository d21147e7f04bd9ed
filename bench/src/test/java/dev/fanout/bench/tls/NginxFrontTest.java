package dev.fanout.bench.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.MockTls;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx front of the TLS benchmark: HTTP/2 by ALPN before the mock, and a connection count that counts the
 * client's connections only (not the status reads'). Skipped where nginx is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxFrontTest {
  @TempDir Path dir;

  @Test
  void givesItsWorkerTwoConnectionsPerCallInFlight() {
    // aiohttp at N = 10,000 holds 10,000 client connections and nginx as many to the backend
    assertThat(NginxFront.workerConnections(10_000)).isGreaterThanOrEqualTo(2 * 10_000);
    assertThat(NginxFront.workerConnections(6)).isEqualTo(8192);
  }

  @Test
  void servesHttp2BeforeTheMockAndCountsTheClientsConnections() throws Exception {
    assumeTrue(NginxFront.version(NginxFront.DEFAULT_NGINX) != null, "nginx is not installed (apt-get install nginx-light)");
    MockTls tls = MockTls.generate("127.0.0.1");
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).latency(Latency.none()).start();
        NginxFront nginx = NginxFront.start(NginxFront.DEFAULT_NGINX, dir, URI.create(backend.url()).getPort(), tls,
            128, 0, 6)) {
      HandshakeCertificates trust = tls.clientHandshake();
      long before = nginx.accepted();
      assertThat(nginx.accepted()).isEqualTo(before); // a status read is not counted
      for (int i = 0; i < 3; i++) {
        try (SSLSocket s = (SSLSocket) trust.sslSocketFactory().createSocket("127.0.0.1",
            URI.create(nginx.url()).getPort())) {
          s.startHandshake();
        }
      }
      assertThat(nginx.accepted() - before).isEqualTo(3);

      OkHttpClient ok = new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
          .build();
      try (Response r = ok.newCall(new Request.Builder().url(nginx.url() + "/users/7").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.protocol()).isEqualTo(Protocol.HTTP_2);
        assertThat(r.body().string()).contains("\"id\":7");
      } finally {
        ok.connectionPool().evictAll();
      }
      assertThat(backend.stats().totalRequests()).isEqualTo(1);
    }
  }

  @Test
  void badOptionsNameTheBadValue() {
    assertThatThrownBy(() -> TlsColdWarm.parse(new String[] {"--clients", "curl"}))
        .hasMessageStartingWith("unknown client: curl");
    assertThatThrownBy(() -> TlsColdWarm.parse(new String[] {"--fronts", "envoy"}))
        .hasMessageStartingWith("unknown front: envoy");
    assertThatThrownBy(() -> TlsColdWarm.parse(new String[] {"--rounds", "1"})).hasMessageStartingWith("rounds < 2: 1");
    assertThatThrownBy(() -> TlsColdWarm.parse(new String[] {"--speed", "1"})).hasMessageStartingWith("unknown option --speed");
    assertThat(TlsColdWarm.parse(new String[] {"--clients", "fanout,httpx", "--n", "10"}).clients())
        .isEqualTo(List.of("fanout", "httpx"));
  }
}
