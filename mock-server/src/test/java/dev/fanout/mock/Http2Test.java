package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Http2Test {
  /** The engine under test: MockWebServer here, Netty in {@link Http2NettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }


  /**
   * Fifty streams held at once on one connection: their delay outlasts the test, so the server's own
   * counter must reach 50 before any could finish (it did not once when the delay was 200 ms and the
   * machine was busy: "expected 50 but was 48"); closing the backend then ends them all.
   */
  @Test
  void servesConcurrentStreamsOverH2c() throws Exception {
    OkHttpClient client = Http.patientClient(200, true);
    try (MockBackend backend = builder().latency(Latency.fixed(ConcurrencyTest.HELD)).http2PriorKnowledge(true).start()) {
      try (Response r = client.newCall(new Request.Builder().url(backend.url() + "/__admin/stats").build()).execute()) {
        // Admin answers at once; after it the client holds one pooled connection that the streams share.
        assertThat(r.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
      }
      ConcurrencyTest.assertHeldAtOnce(backend, client, 50);
      assertThat(backend.connectionStats().accepted()).as("one connection, multiplexed").isEqualTo(1);
    } finally {
      Http.shutdown(client);
    }
  }

  /** Streams answered concurrently all complete (timing is not asserted: see the test above for concurrency). */
  @Test
  void completesConcurrentStreamsOverH2c() throws Exception {
    OkHttpClient client = Http.h2cClient(200);
    try (MockBackend backend = builder().latency(Latency.fixed(Duration.ofMillis(200)))
        .http2PriorKnowledge(true).start()) {
      ConcurrencyTest.fanOut(client, backend.url(), 50);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.completed()).isEqualTo(50);
      assertThat(stats.aborted()).isZero();
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void streamsChatOverH2c() throws Exception {
    OkHttpClient client = Http.h2cClient(8);
    try (MockBackend backend = builder().latency(Latency.none()).http2PriorKnowledge(true).start()) {
      Request call = new Request.Builder().url(backend.url() + "/v1/chat/completions")
          .post(RequestBody.create("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Http.JSON_TYPE))
          .build();
      try (Response r = client.newCall(call).execute()) {
        String body = r.body().string();
        assertThat(body).startsWith("data: {").endsWith("data: [DONE]\n\n");
      }
      assertThat(backend.awaitIdle(Duration.ofSeconds(5)).completed()).isEqualTo(1);
    } finally {
      Http.shutdown(client);
    }
  }
}
