package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@link MockBackend#takeRequest} returns, the same on both engines: the request as read (method,
 * target, path, query, headers, body, protocol), numbered in order of receipt, timed, and bounded.
 * MockWebServer here, Netty in {@link ReceivedRequestNettyTest}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReceivedRequestTest {
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine()).latency(Latency.none());
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {false, true})
  void recordsTheRequestAsRead(boolean h2c) throws Exception {
    OkHttpClient client = h2c ? Http.h2cClient(4) : Http.client(4);
    try (MockBackend backend = builder().http2PriorKnowledge(h2c).start()) {
      Instant before = Instant.now();
      Http.execute(client, new Request.Builder().url(backend.url() + "/search?q=caf%C3%A9&k=2")
          .header("X-Trace", "abc").build());
      Http.execute(client, new Request.Builder().url(backend.url() + "/v1/chat/completions")
          .post(RequestBody.create("{\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}", Http.JSON_TYPE))
          .build());

      ReceivedRequest get = backend.takeRequest(5, TimeUnit.SECONDS);
      assertThat(get.method()).isEqualTo("GET");
      assertThat(get.target()).isEqualTo("/search?q=caf%C3%A9&k=2");
      assertThat(get.path()).isEqualTo("/search");
      assertThat(get.query()).isEqualTo("q=caf%C3%A9&k=2");
      assertThat(get.queryParameter("q")).isEqualTo("café");
      assertThat(get.pathSegments()).containsExactly("search");
      assertThat(get.header("x-trace")).isEqualTo("abc");
      assertThat(get.body()).isEmpty();
      assertThat(get.bodySize()).isZero();
      assertThat(get.protocol()).isEqualTo(h2c ? Protocol.H2_PRIOR_KNOWLEDGE : Protocol.HTTP_1_1);
      assertThat(get.receivedAt()).isAfterOrEqualTo(before.minusMillis(1)).isBeforeOrEqualTo(Instant.now());

      ReceivedRequest post = backend.takeRequest(5, TimeUnit.SECONDS);
      assertThat(post.method()).isEqualTo("POST");
      assertThat(post.bodyUtf8()).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}");
      assertThat(post.bodySize()).isEqualTo(post.body().length);
      assertThat(post.header("Content-Type")).startsWith("application/json");
      assertThat(post.sequence()).isEqualTo(get.sequence() + 1);
      assertThat(post.receivedNanos() - get.receivedNanos()).isNotNegative();
      assertThat(backend.takeRequest(20, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void numbersRequestsAndKeepsOnlyTheLatest() throws Exception {
    OkHttpClient client = Http.client(4);
    try (MockBackend backend = builder().recordedRequests(3).start()) {
      for (int i = 1; i <= 5; i++) Http.get(client, backend.url() + "/users/" + i);
      List<String> paths = new ArrayList<>();
      List<Long> sequence = new ArrayList<>();
      ReceivedRequest r;
      while ((r = backend.takeRequest(20, TimeUnit.MILLISECONDS)) != null) {
        paths.add(r.path());
        sequence.add(r.sequence());
        assertThat(r.connectionIndex()).isZero(); // one keep-alive connection
      }
      assertThat(paths).containsExactly("/users/3", "/users/4", "/users/5");
      assertThat(sequence).containsExactly(2L, 3L, 4L);

      backend.reset(); // drops what is kept; the numbering goes on
      Http.get(client, backend.url() + "/users/6");
      assertThat(backend.takeRequest(5, TimeUnit.SECONDS).sequence()).isEqualTo(5L);
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void takeRequestWaitsForARequestStillComing() throws Exception {
    OkHttpClient client = Http.client(4);
    try (MockBackend backend = builder().start()) {
      Thread caller = new Thread(() -> {
        try {
          Http.get(client, backend.url() + "/users/9");
        } catch (java.io.IOException ignored) {
          // the assertion below fails instead
        }
      });
      caller.start();
      ReceivedRequest r = backend.takeRequest(10, TimeUnit.SECONDS);
      caller.join();
      assertThat(r).isNotNull();
      assertThat(r.path()).isEqualTo("/users/9");
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void withRecordingOffTakeRequestSaysSo() {
    try (MockBackend backend = builder().recordedRequests(0).start()) {
      assertThatThrownBy(() -> backend.takeRequest(1, TimeUnit.MILLISECONDS))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("recordedRequests is 0");
    }
  }
}
