package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.AutoAdvance;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import dev.fanout.users.UserService;
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
  private final AutoAdvance time = new AutoAdvance();
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = client(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(100)).jitter(0).build());
  }

  /**
   * The governor is off here: these tests prove the retry policy's own backoff and Retry-After handling,
   * which is what runs without it. With it on a 429 pauses the whole bucket and the retry waits for that
   * instead (GovernedRetryTest).
   */
  private FanoutClient client(RetryPolicy policy) {
    return FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .governor(GovernorPolicy.disabled())
        .retryPolicy(policy)
        .clock(time.clock())
        .totalTimeout(Duration.ZERO) // AutoAdvance would jump straight to a deadline timer
        .traceListener(traces::add)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
    time.close();
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

    assertThat(time.delays()).containsExactly(Duration.ofSeconds(2));
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(traces).singleElement().satisfies(t -> {
      assertThat(t.attempts()).isEqualTo(2);
      assertThat(t.statusCode()).hasValue(200);
      assertThat(t.ok()).isTrue();
    });
  }

  @Test
  void honoursRetryAfterMsBeforeRetryAfter() {
    server.enqueue(new MockResponse.Builder().code(503)
        .setHeader("Retry-After-Ms", "250").setHeader("Retry-After", "9").build());
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(time.delays()).containsExactly(Duration.ofMillis(250));
  }

  @Test
  void honoursRetryAfterHttpDate() {
    String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(5), ZoneOffset.UTC));
    server.enqueue(status(429, "Retry-After", in5s));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(time.delays()).containsExactly(Duration.ofSeconds(5));
  }

  @Test
  void capsAWeekLongRetryAfterWhenMaxRetryAfterIsLifted() {
    client.close();
    client = client(RetryPolicy.builder().maxRetryAfter(Duration.ZERO).jitter(0).build());
    server.enqueue(status(429, "Retry-After", String.valueOf(Duration.ofDays(7).toSeconds())));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(time.delays()).containsExactly(RetryPolicy.DEFAULT_RETRY_AFTER_CAP);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aRetryAfterLongerThanMaxRetryAfterFailsFastWithTheTypedError(boolean async) {
    server.enqueue(status(429, "Retry-After", String.valueOf(Duration.ofDays(7).toSeconds())));
    server.enqueue(Responses.user(1));

    assertThatThrownBy(() -> get(1, async))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofDays(7));
          assertThat(e.attempts()).isEqualTo(1);
        });
    assertThat(time.delays()).isEmpty(); // no silent wait, not even a capped one
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aRetryAfterAtMaxRetryAfterIsWaitedOut() {
    client.close();
    client = client(RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(2)).jitter(0).build());
    server.enqueue(status(429, "Retry-After", "2"));
    server.enqueue(status(429, "Retry-After", "3"));

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
          assertThat(e.attempts()).isEqualTo(2);
        });
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void backsOffExponentiallyWithoutRetryAfterAndStopsAtMaxAttempts() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(status(500, null, null));
    }

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(ServerException.class, e -> {
          assertThat(e.attempts()).isEqualTo(3);
          assertThat(e.getMessage()).contains("GET /users/1").contains("HTTP 500");
        });

    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(time.delays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(traces).singleElement().satisfies(t -> {
      assertThat(t.attempts()).isEqualTo(3);
      assertThat(t.outcome()).isEqualTo(Outcome.Kind.FAILED);
      assertThat(t.errorType()).isEqualTo(ServerException.class);
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
    assertThat(time.delays()).isEmpty();
  }

  @Test
  void doesNotRetryClientErrors() {
    server.enqueue(status(400, null, null));

    assertThatThrownBy(() -> client.users().get(1)).isInstanceOf(BadRequestException.class);

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(time.delays()).isEmpty();
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
    assertThat(time.delays()).hasSize(1);
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
    FakeClock clock = FakeClock.create(); // not auto-advanced: the deadline must not pass on its own
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.builder().maxAttempts(5).jitter(0).build())
        .governor(GovernorPolicy.disabled()) // the retry policy's backoff; GovernedRetryTest has the governor's
        .clock(clock)
        .totalTimeout(Duration.ZERO) // only the attempt timers and backoffs pend
        .totalTimeout(Duration.ofSeconds(5))
        .build();
    server.enqueue(status(429, "Retry-After", "30"));

    CompletableFuture<User> call = client.users().getAsync(1);

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
          assertThat(e.getMessage()).contains("30000 ms retry backoff");
        });
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(5)); // the deadline, no backoff
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void afterTheLastAttemptTheCallerCatchesTheLastAttemptsTypedException(boolean async) {
    for (int i = 0; i < 3; i++) {
      server.enqueue(status(429, "Retry-After", "1"));
    }

    assertThatThrownBy(() -> get(1, async))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.attempts()).isEqualTo(3);
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        });
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void aFirstAttemptFailureNotRetriedSaysOneAttempt() {
    server.enqueue(status(400, null, null));

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.attempts()).isEqualTo(1));
  }

  @Test
  void xShouldRetryFalseStopsARetryableStatus() {
    server.enqueue(status(503, "x-should-retry", "false"));

    assertThatThrownBy(() -> client.users().get(1)).isInstanceOf(ServerException.class);

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(time.delays()).isEmpty();
  }

  @Test
  void xShouldRetryTrueRetriesAStatusThePolicyWouldNot() {
    server.enqueue(status(400, "x-should-retry", "true"));
    server.enqueue(Responses.user(1));

    assertThat(client.users().get(1).id()).isEqualTo(1);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(time.delays()).containsExactly(Duration.ofMillis(100));
  }

  @Test
  void retries409LikeOpenAiJava() {
    server.enqueue(status(409, null, null));
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void thePolicysStatusPredicateDecidesWhatIsRetried() {
    client.close();
    client = client(RetryPolicy.builder().jitter(0).initialBackoff(Duration.ofMillis(100))
        .retryOnStatus(code -> code == 404).build());
    server.enqueue(status(404, null, null));
    server.enqueue(Responses.user(1));
    server.enqueue(status(503, null, null));

    assertThat(client.users().get(1).id()).isEqualTo(1);
    assertThatThrownBy(() -> client.users().get(1)).isInstanceOf(ServerException.class);

    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void thePolicysErrorPredicateDecidesWhetherTransportFailuresAreRetried() {
    client.close();
    client = client(RetryPolicy.builder().retryOnError(e -> false).build());
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket(true, true, true)).build());

    assertThatThrownBy(() -> client.users().get(1))
        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.attempts()).isEqualTo(1));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aPerCallRetryPolicyOverridesTheClients() throws Exception {
    server.enqueue(status(500, null, null));
    server.enqueue(Responses.user(1));

    UserService once = client.users().withOptions(CallOptions.builder().retryPolicy(RetryPolicy.none()).build());
    assertThatThrownBy(() -> once.get(1)).isInstanceOf(ServerException.class);
    assertThat(client.users().get(1).id()).isEqualTo(1);

    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void perCallHeadersAreSentOnEveryAttemptAndTheLabelNamesTheTrace() throws Exception {
    server.enqueue(status(503, null, null));
    server.enqueue(Responses.user(1));

    client.users()
        .withOptions(CallOptions.builder().header("Idempotency-Key", "k-1").label("lookup").build())
        .get(1);

    assertThat(server.takeRequest().getHeaders().get("Idempotency-Key")).isEqualTo("k-1");
    assertThat(server.takeRequest().getHeaders().get("Idempotency-Key")).isEqualTo("k-1");
    assertThat(traces).singleElement().satisfies(t -> assertThat(t.label()).isEqualTo("lookup"));
  }

  @Test
  void anAttemptTimeoutOnTheFakeClockCancelsTheAttemptAndIsRetried() throws Exception {
    client.close();
    FakeClock clock = FakeClock.create();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(100)).jitter(0).build())
        .attemptTimeout(Duration.ofSeconds(10))
        .clock(clock)
        .totalTimeout(Duration.ZERO) // only the attempt timers and backoffs pend
        .build();
    server.enqueue(new MockResponse.Builder().body("{}").headersDelay(1, java.util.concurrent.TimeUnit.HOURS).build());
    server.enqueue(Responses.user(1));

    CompletableFuture<User> call = client.users().getAsync(1);
    server.takeRequest(); // the first attempt reached the server and hangs
    clock.advance(Duration.ofSeconds(10)); // its attempt timeout fires: cancelled, a 100 ms backoff scheduled
    await(() -> clock.pendingTasks() > 0);
    clock.advance(Duration.ofMillis(100));
    await(() -> clock.pendingTasks() > 0 || call.isDone()); // the second attempt's own timer
    assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS).id()).isEqualTo(1);
    assertThat(clock.scheduledDelays()).startsWith(Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(10));
  }

  @Test
  void anAttemptTimeoutOnTheLastAttemptIsATimeoutException() throws Exception {
    client.close();
    FakeClock clock = FakeClock.create();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.none())
        .attemptTimeout(Duration.ofSeconds(3))
        .clock(clock)
        .totalTimeout(Duration.ZERO) // only the attempt timers and backoffs pend
        .build();
    server.enqueue(new MockResponse.Builder().body("{}").headersDelay(1, java.util.concurrent.TimeUnit.HOURS).build());

    CompletableFuture<User> call = client.users().getAsync(1);
    server.takeRequest();
    clock.advance(Duration.ofSeconds(3));

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.attempts()).isEqualTo(1);
          assertThat(e.getMessage()).contains("attemptTimeout (3000 ms)");
        });
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(1);
    }
  }
}
