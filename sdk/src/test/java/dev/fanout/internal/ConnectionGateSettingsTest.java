package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Connection;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream limit the connection gate reads from a server's HTTP/2 {@code SETTINGS}: the one announced, and
 * for {@code SETTINGS} that announce none (MockWebServer's; RFC 9113: no limit) the unannounced limit, where
 * before it could not tell them from "not arrived yet", waited out its SETTINGS wait and assumed 100.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConnectionGateSettingsTest {
  @Test
  void settingsThatAnnounceNoLimitGiveTheUnannouncedLimit() throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.MOCKWEBSERVER).tls(true)
        .latency(Latency.none()).start()) {
      Connection connection = connectionOfOneCall(backend);

      assertThat(PeerSettings.maxConcurrentStreams(connection)).isEqualTo(PeerSettings.NONE_ANNOUNCED);
      assertThat(ConnectionGate.streamLimit(connection)).isEqualTo(ConnectionGate.UNANNOUNCED_STREAM_LIMIT);
    }
  }

  @Test
  void anAnnouncedLimitIsTheConnectionsLimit() throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).maxConcurrentStreams(16)
        .latency(Latency.none()).start()) {
      Connection connection = connectionOfOneCall(backend);

      assertThat(PeerSettings.maxConcurrentStreams(connection)).isEqualTo(16);
      assertThat(ConnectionGate.streamLimit(connection)).isEqualTo(16);
    }
  }

  @Test
  void anHttp11ConnectionHasNoSettings() throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).latency(Latency.none()).start()) {
      Connection connection = call(backend, Protocol.HTTP_1_1);

      assertThat(connection.protocol()).isEqualTo(Protocol.HTTP_1_1);
      assertThat(PeerSettings.maxConcurrentStreams(connection)).isEqualTo(PeerSettings.UNKNOWN);
    }
  }

  /**
   * Makes one HTTP/2 call and returns its connection once OkHttp has applied the server's SETTINGS: they are
   * the server's first frame, and OkHttp applies them on its writer thread, so a bounded wait covers the gap
   * between reading the response and that thread's turn.
   */
  private static Connection connectionOfOneCall(MockBackend backend) throws Exception {
    Connection connection = call(backend, Protocol.HTTP_2, Protocol.HTTP_1_1);
    assertThat(connection.protocol()).isEqualTo(Protocol.HTTP_2);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (PeerSettings.maxConcurrentStreams(connection) == PeerSettings.UNKNOWN && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    return connection;
  }

  /** Makes one call to {@code backend} over TLS offering {@code protocols}; returns the connection it used. */
  private static Connection call(MockBackend backend, Protocol... protocols) throws Exception {
    HandshakeCertificates trust = backend.tlsCertificates().clientHandshake();
    AtomicReference<Connection> seen = new AtomicReference<>();
    OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(protocols))
        .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
        .addNetworkInterceptor(chain -> {
          seen.set(chain.connection());
          return chain.proceed(chain.request());
        })
        .build();
    try (Response response = client.newCall(new Request.Builder().url(backend.url() + "/users/1").build()).execute()) {
      response.body().string();
    }
    return seen.get();
  }
}
