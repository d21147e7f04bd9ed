package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate stops counting a connection's free streams once its server sent {@code GOAWAY}, while the connection
 * is still open for the streams it processes: real frames from the Netty mock over h2c. OkHttp marks such a
 * connection only when a call next asks its pool for it, so the gate asks the connection's own health.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConnectionGateGoawayTest {
  @Test
  void aConnectionIsNoLongerUsableOnceItsServerSentGoawayThoughItsStreamsStillRun() throws Exception {
    // the first stream of each connection is processed and held; the second is answered with GOAWAY
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
            .goAwayAfterStreams(1).latency(Latency.fixed(Duration.ofSeconds(30))).start();
        H2cProbe probe = new H2cProbe(backend.url())) {
      Call held = probe.start("/users/1");
      Connection connection = probe.firstConnection();
      assertThat(ConnectionGate.usable(connection)).as("open, no GOAWAY yet").isTrue();

      probe.start("/users/2"); // the server answers its stream with GOAWAY, last stream id the held call's

      eventually(() -> !ConnectionGate.usable(connection));
      assertThat(connection.socket().isClosed()).as("still open: the held call's stream runs on it").isFalse();
      assertThat(held.isExecuted() && !held.isCanceled()).isTrue();
    }
  }
}
