package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Connection;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request is not written on an HTTP/2 connection whose open streams fill the server's stream limit, even while
 * OkHttp's pool would hand the connection out (as it does between acknowledging lowered {@code SETTINGS} and
 * applying them to its call limit, simulated here by raising that call limit): real frames from the Netty mock
 * over h2c.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class StreamLimitGuardTest {
  @Test
  void onlyAStaleCallLimitHoldsARequestBack() {
    assertThat(StreamLimitGuard.holds(10, 10, 50)).as("limit lowered to 10, the pool still at 50").isTrue();
    assertThat(StreamLimitGuard.holds(9, 10, 50)).as("a stream is still free").isFalse();
    // the pool obeys the limit: a finished stream not yet removed may read as open as a new call takes its place
    assertThat(StreamLimitGuard.holds(16, 16, 16)).isFalse();
    assertThat(StreamLimitGuard.holds(17, 16, 16)).isFalse();
  }

  @Test
  void aRequestAboveTheServersStreamLimitIsNotSentAndCountsAsUnprocessed() throws Throwable {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
            .maxConcurrentStreams(2).latency(Latency.fixed(Duration.ofSeconds(30))).start();
        H2cProbe probe = new H2cProbe(backend.url(), StreamLimitGuard.network())) {
      probe.start("/users/1");
      Connection connection = probe.firstConnection();
      eventually(() -> PeerSettings.maxConcurrentStreams(connection) == 2);
      probe.start("/users/2");
      eventually(() -> PeerSettings.openStreams(connection) == 2);
      assertThat(backend.takeRequest(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(backend.takeRequest(30, TimeUnit.SECONDS)).isNotNull();

      // OkHttp's pool hands the full connection out, as while its call limit is stale
      synchronized (connection) {
        ConnectionGate.SET_ALLOCATION_LIMIT.invokeExact(connection, Integer.MAX_VALUE);
      }
      CompletableFuture<IOException> failure = new CompletableFuture<>();
      probe.start("/users/3", new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          failure.complete(e);
        }

        @Override
        public void onResponse(Call call, Response response) {
          response.close();
          failure.completeExceptionally(new AssertionError("the third request was answered"));
        }
      });

      IOException e = failure.get(30, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(StreamLimitGuard.StreamLimitReachedException.class);
      assertThat(RefusedStreamReplay.unprocessed(e)).as("sent again as never processed").isNotNull();
      synchronized (connection) {
        assertThat((int) ConnectionGate.ALLOCATION_LIMIT.invokeExact(connection)).as("call limit lowered").isEqualTo(2);
      }
      assertThat(backend.stats().totalRequests()).as("the server saw the two held requests only").isEqualTo(2);
      assertThat(connection.socket().isClosed()).as("the held streams still run").isFalse();
    }
  }
}
