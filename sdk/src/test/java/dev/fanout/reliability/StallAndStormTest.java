package dev.fanout.reliability;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.TransportException;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.testing.FakeClock;
import dev.fanout.users.User;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stalled server ends in a timeout error, not a hang; a 429 storm is waited out, not hammered. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class StallAndStormTest {

  @Test
  void aStallEndsInAReadTimeoutErrorAndTheServerSeesTheClientGo() throws Exception {
    Duration readTimeout = Duration.ofMillis(200);
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.none()).faults(Faults.builder().stallRate(1.0).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .readTimeout(readTimeout).retryPolicy(RetryPolicy.none()).build()) {
      long start = System.nanoTime();
      CompletableFuture<User> call = client.users().getAsync(1);

      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TransportException.class)
          .hasMessageContaining("GET /users/1")
          .hasCauseInstanceOf(InterruptedIOException.class);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      assertThat(elapsed).isGreaterThanOrEqualTo(readTimeout).isLessThan(readTimeout.multipliedBy(10));

      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.faults(Stats.STALL)).isEqualTo(1);
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.aborted()).isEqualTo(1);
    }
  }

  @Test
  void stallsUnderAFanOutDeadlineEndAtTheDeadlineAndAreCancelledAtTheServer() throws Exception {
    Duration deadline = Duration.ofMillis(300);
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.none()).faults(Faults.builder().stallRate(1.0).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) { // read timeout 60 s
      // The deadline runs on a fake clock, advanced once the server holds all 20: a slow machine cannot make
      // the deadline pass before the lookups are sent.
      List<Long> ids = LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toList());
      FakeClock clock = FakeClock.create();
      FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input),
          FanoutOptions.builder().timeout(deadline).clock(clock).build());
      eventually(() -> backend.stats().inFlight() >= 20); // every lookup held by the server, none answered

      assertThat(run).isNotDone();
      clock.advance(deadline);
      List<Outcome<User>> outcomes = run.get(10, TimeUnit.SECONDS);

      assertThat(outcomes).hasSize(20).allSatisfy(o -> assertThat(o.error()).isInstanceOf(FanoutTimeoutException.class));
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.aborted()).isEqualTo(stats.requests(Routes.USERS)).isEqualTo(20);
    }
  }

  @Test
  void aRateLimitStormIsWaitedOutByRetryAfterNotHammered() throws Exception {
    // 4 requests per second, one at a time: the first lookup passes, the other nine get 429 with
    // Retry-After-Ms of about 250 ms. A client that ignored it would be back within its 1 ms backoff.
    int n = 10;
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.none()).faults(Faults.builder().rateLimit(4, 1).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
            // The retry policy's own Retry-After handling. With the governor on, whether the storm's first
            // answer (publishing the limit) arrives before the last of the ten is sent is a race, and the
            // governor then paces the rest instead: GovernedRetryTest covers that path.
            .governor(dev.fanout.GovernorPolicy.disabled())
            .build()) {
      List<Long> ids = LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
      // Warm up n pooled connections on the admin route (never rate limited), so the storm's first wave
      // arrives within milliseconds even on a cold JVM; then restart the buckets, counters and recordings.
      Fanout.all(ids, (id, context) -> client.json().getAsync("__admin/stats", Object.class), FanoutOptions.defaults()).get(10, TimeUnit.SECONDS);
      backend.reset();

      List<Outcome<User>> outcomes = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).get(10, TimeUnit.SECONDS);

      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      // The storm as the server saw it, in arrival order (its own clock, so a busy test thread cannot skew it).
      List<ReceivedRequest> arrivals = new ArrayList<>();
      for (ReceivedRequest r; (r = backend.takeRequest(0, TimeUnit.SECONDS)) != null; ) {
        if (r.path().startsWith("/users/")) {
          arrivals.add(r);
        }
      }
      arrivals.sort(Comparator.comparingLong(ReceivedRequest::receivedNanos));
      // Each rate-limited input tried exactly twice (its policy), so at most 2n - 1 requests in all.
      assertThat(stats.requests(Routes.USERS)).isEqualTo(2L * n - 1);
      assertThat(arrivals).hasSize(2 * n - 1);
      // The storm window: every input asked once before any came back ...
      assertThat(arrivals.subList(0, n)).extracting(ReceivedRequest::path).doesNotHaveDuplicates();
      // ... and nobody came back before Retry-After (about 250 ms; a client ignoring it retries after 1 ms).
      long secondWaveAfterNanos = arrivals.get(n).receivedNanos() - arrivals.get(0).receivedNanos();
      assertThat(Duration.ofNanos(secondWaveAfterNanos)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
      long ok = outcomes.stream().filter(Outcome::isSuccess).count();
      assertThat(ok).isBetween(2L, (long) n);
      assertThat(outcomes).filteredOn(o -> !o.isSuccess()).allSatisfy(o -> {
        assertThat(o.error()).isInstanceOf(RateLimitedException.class);
        assertThat(((RateLimitedException) o.error()).attempts()).isGreaterThan(1);
        assertThat(((RateLimitedException) o.error()).retryAfter()).isPositive();
      });
      assertThat(stats.faults(Stats.RATE_LIMITED)).isEqualTo(stats.requests(Routes.USERS) - ok);
      System.out.printf("RELIABILITY 429-storm: inputs=%d secondWaveAfterMs=%d requests=%d ok=%d%n",
          n, secondWaveAfterNanos / 1_000_000, stats.requests(Routes.USERS), ok);
    }
  }
}
