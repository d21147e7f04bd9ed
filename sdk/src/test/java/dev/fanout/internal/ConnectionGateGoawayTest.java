package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Connection;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate stops counting a connection's free streams once its server sent {@code GOAWAY}, while the connection
 * is still open for the streams it processes: real frames from the Netty mock over h2c. OkHttp marks such a
 * connection only when a call next asks its pool for it, so the gate asks the connection's own health.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConnectionGateGoawayTest {
  private static final Callback IGNORE = new Callback() {
    @Override
    public void onFailure(Call call, IOException e) {}

    @Override
    public void onResponse(Call call, Response response) {
      response.close();
    }
  };

  @Test
  void aConnectionIsNoLongerUsableOnceItsServerSentGoawayThoughItsStreamsStillRun() throws Exception {
    AtomicReference<Connection> first = new AtomicReference<>();
    // the first stream of each connection is processed and held; the second is answered with GOAWAY
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
        .goAwayAfterStreams(1).latency(Latency.fixed(Duration.ofSeconds(30))).start()) {
      // no retry by OkHttp: a retry would ask the pool for the connection, which is when OkHttp marks it
      OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
          .retryOnConnectionFailure(false)
          .addNetworkInterceptor(chain -> {
            first.compareAndSet(null, chain.connection());
            return chain.proceed(chain.request());
          })
          .build();
      Call held = client.newCall(new Request.Builder().url(backend.url() + "/users/1").build());
      held.enqueue(IGNORE);
      eventually(() -> first.get() != null);
      Connection connection = first.get();
      assertThat(ConnectionGate.usable(connection)).as("open, no GOAWAY yet").isTrue();

      Call refused = client.newCall(new Request.Builder().url(backend.url() + "/users/2").build());
      refused.enqueue(IGNORE); // the server answers its stream with GOAWAY, last stream id the held call's

      eventually(() -> !ConnectionGate.usable(connection));
      assertThat(connection.socket().isClosed()).as("still open: the held call's stream runs on it").isFalse();
      assertThat(held.isExecuted() && !held.isCanceled()).isTrue();

      held.cancel();
      refused.cancel();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
