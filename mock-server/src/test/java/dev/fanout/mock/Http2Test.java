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

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http2Test {
  /** The engine under test: MockWebServer here, Netty in {@link Http2NettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }


  @Test
  void servesConcurrentStreamsOverH2c() throws Exception {
    OkHttpClient client = Http.h2cClient(200);
    try (MockBackend backend = builder().latency(Latency.fixed(Duration.ofMillis(200)))
        .http2PriorKnowledge(true).start()) {
      try (Response r = client.newCall(new Request.Builder().url(backend.url() + "/users/1").build()).execute()) {
        assertThat(r.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
      }
      backend.awaitIdle(Duration.ofSeconds(5));
      backend.reset();
      ConcurrencyTest.fanOut(client, backend.url(), 50);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.maxInFlight()).isEqualTo(50);
      assertThat(stats.completed()).isEqualTo(50);
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
