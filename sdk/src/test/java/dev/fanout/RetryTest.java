package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.RetriesExhaustedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.RecordingSleeper;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class RetryTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final MockWebServer server = new MockWebServer();
  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = client(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).jitter(0).build());
  }

  private FanoutClient client(RetryPolicy policy) {
    return FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(policy)
        .sleeper(sleeper)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .traceListener(traces::add)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private User get(long id, boolean async) {
    return async ? HttpEngine.await(client.users().getAsync(id)) : client.users().get(id);
  }

  private static MockResponse status(int code, String name, String value) {
    MockResponse.Builder b = new MockResponse.Builder().code(code).body("{\"error\":\"busy\"}");
    if (name != null) {
      b.setHeader(name, value);
    }
    return b.build();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void honoursRetryAfterSeconds(boolean async) {
    server.enqueue(status(429, "Retry-After", "2"));
    server.enqueue(Responses.user(1));

    assertThat(get(1, async).id()).isEqualTo(1);

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(2));
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(traces).singleElement().satisfies(t -> {
      assertThat(t.attempts()).isEqualTo(2);
      assertThat(t.statusCode()).isEqualTo(200);
      assertThat(t.ok()).isTrue();
    });
  }

  @Test
  void honoursRetryAfterMsBeforeRetryAfter() {
    server.enqueue(new MockResponse.Builder().code(503)
        .setHeader("Retry-After-Ms", "250").setHeader("Retry-After", "9").build());
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(sleeper.waits()).containsExactly(Duration.ofMillis(250));
  }

  @Test
  void honoursRetryAfterHttpDate() {
    String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(5), ZoneOffset.UTC));
    server.enqueue(status(429, "Retry-After", in5s));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(5));
  }

  @Test
  void capsAWeekLongRetryAfter() {
    server.enqueue(status(429, "Retry-After", String.valueOf(Duration.ofDays(7).toSeconds())));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(sleeper.waits()).containsExactly(RetryPolicy.DEFAULT_RETRY_AFTER_CAP);
  }

  @Test
  void backsOffExponentiallyWithoutRetryAfterAndStopsAtMaxAttempts() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(status(500, null, null));
    }

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
          assertThat(e.attempts()).isEqualTo(3);
          assertThat(e.getCause()).isInstanceOf(ServerException.class);
          assertThat(e.getMessage()).contains("GET /users/1").contains("3 attempts").contains("HTTP 500");
        });

    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(sleeper.waits()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(traces).singleElement().satisfies(t -> {
      assertThat(t.attempts()).isEqualTo(3);
      assertThat(t.outcome()).isEqualTo("RetriesExhaustedException");
    });
  }

  @Test
  void rateLimitedCarriesRetryAfterWhenNotRetried() {
    client.close();
    client = client(RetryPolicy.none());
    server.enqueue(status(429, "Retry-After", "3"));

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
          assertThat(e.getMessage()).startsWith("HTTP 429 Too Many Requests (GET /users/1) retry after 3000 ms");
        });
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void doesNotRetryClientErrors() {
    server.enqueue(status(400, null, null));

    assertThatThrownBy(() -> client.users().get(1)).isInstanceOf(BadRequestException.class);

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void retries408() {
    server.enqueue(status(408, null, null));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void retriesConnectionFailuresPostIncluded(boolean async) {
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket(true, true, true)).build());
    server.enqueue(Responses.json("{\"ok\":true}"));

    @SuppressWarnings("unchecked")
    Map<String, Object> result = async
        ? HttpEngine.await(client.json().postAsync("things", Map.of("a", 1), Map.class))
        : client.json().post("things", Map.of("a", 1), Map.class);

    assertThat(result).containsEntry("ok", true);
    assertThat(sleeper.waits()).hasSize(1);
  }

  @Test
  void connectionFailureWithoutRetriesIsTransportException() {
    client.close();
    client = client(RetryPolicy.none());
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket(true, true, true)).build());

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("GET /users/1");
  }

  @Test
  void backoffThatWouldEndPastTheDeadlineIsNotStarted() {
    client.close();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.builder().maxAttempts(5).jitter(0).build())
        .sleeper(sleeper)
        .callTimeout(Duration.ofSeconds(5))
        .build();
    server.enqueue(status(429, "Retry-After", "30"));

    CompletableFuture<User> call = client.users().getAsync(1);

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
          assertThat(e.getMessage()).contains("30000 ms retry backoff");
        });
    assertThat(sleeper.waits()).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
