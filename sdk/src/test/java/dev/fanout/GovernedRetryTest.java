package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.AutoAdvance;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retries of a 429 with the governor on (the default): the 429 pauses the bucket for every call until its
 * {@code retry-after-ms} / {@code retry-after}, and the retry re-acquires from the governor instead of also
 * sleeping the retry policy's backoff. Every wait is a timer on a {@link FakeClock}, so the recorded delays
 * are the whole story.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class GovernedRetryTest {
  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
  }

  private FanoutClient client(RetryPolicy retry) {
    return FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(retry)
        .governor(GovernorPolicy.builder().pauseJitter(0).build())
        .clock(time.clock())
        .totalTimeout(Duration.ZERO) // no 10 min deadline timer among the recorded delays
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    time.close();
    server.close();
  }

  @Test
  void theDefaultIsOn() {
    assertThat(FanoutClient.DEFAULT_GOVERNOR).isEqualTo(GovernorPolicy.defaults());
    assertThat(FanoutClient.DEFAULT_GOVERNOR.enabled()).isTrue();
  }

  @Test
  void aRetryOfA429WaitsOnlyForTheBucketsPause() {
    client = client(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofSeconds(2)).jitter(0).build());
    server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after-ms", "750")
        .setHeader("retry-after", "1").build());
    server.enqueue(Responses.user(1));

    User user = client.users().get(1);

    assertThat(user.id()).isEqualTo(1);
    // The governor's pause (retry-after-ms wins over retry-after), and no 2 s retry backoff on top.
    assertThat(time.delays()).containsExactly(Duration.ofMillis(750));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void anErrorThatIsNotA429StillPaysTheRetryBackoff() {
    client = client(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(100)).jitter(0).build());
    server.enqueue(new MockResponse.Builder().code(500).build());
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(time.delays()).containsExactly(Duration.ofMillis(100));
  }

  @Test
  void aWeekLongRetryAfterPausesTheBucketForAtMostMaxPause() {
    client = client(RetryPolicy.builder().maxAttempts(2).maxRetryAfter(Duration.ZERO).build());
    server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after", String.valueOf(7 * 24 * 3600)).build());
    server.enqueue(Responses.user(1));

    client.users().get(1);

    assertThat(time.delays()).containsExactly(GovernorPolicy.DEFAULT_MAX_PAUSE);
  }

  @Test
  void aPauseThatOutlastsTheDeadlineFailsTheRetryAtOnceWithThe429AsCause() {
    FakeClock clock = FakeClock.create(); // not auto-advanced: the deadline must not pass on its own
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.builder().maxAttempts(5).jitter(0).build())
        .clock(clock)
        .totalTimeout(Duration.ofSeconds(5))
        .build();
    server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after", "30").build());

    CompletableFuture<User> call = client.users().getAsync(1);

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
          assertThat(e.getMessage()).contains("rate-limit governor").contains("after attempt 1");
        });
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(5)); // the deadline, nothing else
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aFanOutsReportCountsIts429sAndShowsTheBucket() throws Exception {
    client = client(RetryPolicy.builder().maxAttempts(3).jitter(0).build());
    server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after-ms", "100").build());
    server.enqueue(Responses.user(1));
    server.enqueue(Responses.user(2));

    FanoutFuture<java.util.List<User>> run = Fanout.all(java.util.List.of(1L, 2L), (input, context) -> client.users().getAsync(input),
        FanoutOptions.builder().maxConcurrency(1).build());
    run.get(10, TimeUnit.SECONDS);

    GovernorReport g = run.report().governor();
    assertThat(g.rateLimited()).isEqualTo(1);
    assertThat(g.waitedCalls()).isEqualTo(1);
    assertThat(g.totalWait()).isEqualTo(Duration.ofMillis(100));
    assertThat(g.buckets()).singleElement().satisfies(b -> {
      assertThat(b.name()).isEqualTo("/users/*");
      assertThat(b.rateLimited()).isEqualTo(1);
      assertThat(b.concurrencyLimit()).as("a 429 caps the bucket").isPresent();
    });
    assertThat(run.report().toJson()).contains("\"governor\"").contains("\"rateLimited\" : 1")
        .contains("\"governorWaitMillis\" : 100.0");
    assertThat(run.report().toString()).as("each wait says what it waited for")
        .contains("queued for maxInFlight ").contains("held by the rate-limit governor 0.100 s (1 calls)");
    assertThat(g.toString()).contains("1 calls waited 0.100 s in all, longest 0.100 s").doesNotContain("PT");
  }

  @Test
  void aPublishedPerMinuteLimitIsReportedAsTheQuotaAndThePaceApart() throws Exception {
    client = client(RetryPolicy.none());
    for (long id = 1; id <= 2; id++) {
      server.enqueue(new MockResponse.Builder(Responses.user(id))
          .setHeader("x-ratelimit-limit-requests", "600")
          .setHeader("x-ratelimit-remaining-requests", "5")
          .setHeader("x-ratelimit-reset-requests", "6s")
          .build());
    }

    FanoutFuture<java.util.List<User>> run = Fanout.all(java.util.List.of(1L, 2L), (input, context) -> client.users().withContext(context).getAsync(input),
        FanoutOptions.builder().maxConcurrency(1).build());
    run.get(10, TimeUnit.SECONDS);

    GovernorReport.Limit limit = run.report().governor().buckets().get(0).limits().get(0);
    assertThat(limit.dimension()).isEqualTo(GovernorReport.Dimension.REQUESTS);
    assertThat(limit.limit()).isEqualTo(600);
    assertThat(limit.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(limit.sustainedPerSecond()).as("600 per minute").isEqualTo(10.0);
    assertThat(limit.ratePerSecond()).as("the pace now: the refill plus what is left over the next second")
        .isGreaterThan(limit.sustainedPerSecond());
    assertThat(limit.toString()).startsWith("requests 600 per 1 min (10.00/s), pacing ").contains("/s now, ")
        .endsWith(" left");
    assertThat(run.report().toJson()).contains("\"windowSeconds\" : 60.0");
  }
}
