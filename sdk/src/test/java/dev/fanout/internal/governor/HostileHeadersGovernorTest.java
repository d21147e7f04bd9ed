package dev.fanout.internal.governor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.GovernorPolicy;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What lying or hostile rate-limit headers and 429s do to a bucket, on a fake clock: a wait derived from a
 * header is bounded, a bucket believed exhausted is probed, a refused retry-after is not imposed on the
 * other calls, and a passed burst of 429s costs one pause, not seconds of reduced concurrency.
 */
@Timeout(20)
class HostileHeadersGovernorTest {
  private static final GovernorKey ROUTE = new GovernorKey("api.example.com", "users/*", false);
  private static final long MS = 1_000_000L;
  private static final Duration LATENCY = Duration.ofMillis(50);
  /** {@code GovernorPolicy.DEFAULT_PROBE_INTERVAL}. */
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

  private final FakeClock clock = FakeClock.create();
  private Governor governor = Governor.create(GovernorPolicy.defaults(), 1024, clock, () -> 0.0);

  /** Calls through {@link #governor} against a server scripted by arrival number, each with a deadline. */
  private final class Run {
    final IntFunction<SimulatedServer.Answer> server;
    int arrivals;
    final List<Long> arrivedAt = new ArrayList<>();
    int ok;
    int timedOut;
    int refused;
    long lastDone;
    long firstTimeoutAt = -1;

    Run(IntFunction<SimulatedServer.Answer> server) {
      this.server = server;
    }

    void submit(int calls, Duration deadline) {
      for (int i = 0; i < calls; i++) {
        call(deadline.isZero() ? Governor.NO_DEADLINE : clock.nanoTime() + deadline.toNanos());
      }
    }

    private void call(long deadline) {
      CompletableFuture<Permit> f = governor.acquire(ROUTE, 0, deadline);
      f.whenComplete((permit, failure) -> {
        if (failure != null) {
          timedOut++;
          if (firstTimeoutAt < 0) {
            firstTimeoutAt = clock.elapsed().toNanos();
          }
          return;
        }
        arrivedAt.add(clock.nanoTime());
        SimulatedServer.Answer a = server.apply(arrivals++);
        clock.schedule(LATENCY, () -> {
          permit.onResponse(a.status(), a.headers(), OptionalLong.empty());
          if (a.status() != 429) {
            ok++;
            lastDone = clock.elapsed().toNanos();
          } else if (RateLimitHeaders.retryAfter(a.headers(), clock).orElse(Duration.ZERO)
              .compareTo(Duration.ofSeconds(60)) > 0) {
            refused++; // the retry policy refuses a wait this long: the call fails, it is not sent again
          } else {
            call(deadline); // retried: waits for the bucket's pause
          }
        });
      });
    }

    void runFor(Duration d) {
      for (long t = 0; t < d.toMillis(); t += 5) {
        clock.advance(Duration.ofMillis(5));
      }
    }
  }

  private static SimulatedServer.Answer ok() {
    return new SimulatedServer.Answer(200, Headers.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "ietf", "anthropic"})
  void oneLyingResetHeaderHoldsTheRouteAtMostAProbeInterval(String convention) {
    Headers lie = switch (convention) {
      case "openai" -> Headers.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "999999999s");
      case "ietf" -> Headers.of("RateLimit-Remaining", "0", "RateLimit-Reset", "999999999");
      default -> Headers.of("anthropic-ratelimit-requests-remaining", "0",
          "anthropic-ratelimit-requests-reset", "2099-01-01T00:00:00Z");
    };
    Run run = new Run(n -> n == 0 ? new SimulatedServer.Answer(200, lie) : ok());
    run.submit(1, Duration.ofSeconds(30));
    run.runFor(Duration.ofMillis(100));
    assertThat(run.ok).isEqualTo(1);

    run.submit(300, Duration.ofSeconds(30));
    run.runFor(Duration.ofSeconds(10));
    assertThat(run.timedOut).as("calls failed by the governor").isZero();
    assertThat(run.ok).isEqualTo(301);
    // one probe after the probe interval since the last admission, then its honest answer opens the route
    assertThat(run.lastDone).isLessThanOrEqualTo(100 * MS + PROBE_INTERVAL.toNanos() + 200 * MS);
  }

  @Test
  void withoutADeadlineARouteThatAlwaysLiesIsStillProbedEveryInterval() {
    Headers lie = Headers.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "999999999s");
    Run run = new Run(n -> new SimulatedServer.Answer(200, lie));
    run.submit(1, Duration.ZERO);
    run.runFor(Duration.ofMillis(100));
    run.submit(19, Duration.ZERO);
    run.runFor(Duration.ofSeconds(60));
    // one call every 5 s probe interval
    assertThat(run.arrivals).isBetween(12, 14);
    assertThat(run.timedOut).isZero();
  }

  @Test
  void resetsThatChangeOnEveryResponseDoNotFailCallsLongBeforeTheirDeadline() {
    // a fixed window of 100 whose reset jumps between 1 s, 30 s and an hour from one response to the next
    Random r = new Random(23);
    long[] resets = {1, 30, 3600};
    Run run = new Run(n -> new SimulatedServer.Answer(200, Headers.of(
        "RateLimit-Limit", "100",
        "RateLimit-Remaining", Integer.toString(r.nextInt(50)),
        "RateLimit-Reset", Long.toString(resets[n % resets.length]))));
    run.submit(1, Duration.ofSeconds(30));
    run.runFor(Duration.ofMillis(100));
    run.submit(299, Duration.ofSeconds(30));
    run.runFor(Duration.ofSeconds(31));
    System.out.println("changing: ok " + run.ok + " timedOut " + run.timedOut + " first at " + run.firstTimeoutAt);
    // Before: 297 of 300 failed at once, the first 0.19 s into its 30 s. Now calls wait their turn, and the
    // server hears from the route at least every probe interval.
    assertThat(run.firstTimeoutAt).as("first call failed at (ns), -1 for none")
        .satisfiesAnyOf(t -> assertThat(t).isEqualTo(-1), t -> assertThat(t).isGreaterThan(20_000 * MS));
    for (int i = 1; i < run.arrivedAt.size(); i++) {
      assertThat(run.arrivedAt.get(i) - run.arrivedAt.get(i - 1)).as("silence before arrival %d", i)
          .isLessThanOrEqualTo(PROBE_INTERVAL.toNanos());
    }
  }

  @Test
  void aRetryAfterRefusedForOneCallIsNotImposedOnTheOthers() {
    Run run = new Run(n -> n == 0 ? new SimulatedServer.Answer(429, Headers.of("retry-after", "604800")) : ok());
    run.submit(1, Duration.ofSeconds(120));
    run.runFor(Duration.ofMillis(60));
    run.submit(199, Duration.ofSeconds(120));
    run.runFor(Duration.ofSeconds(5));
    assertThat(run.refused).isEqualTo(1);
    assertThat(run.ok).isEqualTo(199);
    // the others pause as after a 429 that named no wait (1 s), not the 60 s maxPause
    assertThat(run.lastDone).isLessThan(GovernorPolicy.DEFAULT_PAUSE_WITHOUT_RETRY_AFTER.toNanos() + 500 * MS);
  }

  @Test
  void aBurstOf429sThatHasPassedCostsOnePause() {
    // 400 lookups at 50 ms on a client of maxInFlight 64; the first 20 answers are 429 with retry-after 1 s
    governor = Governor.create(GovernorPolicy.defaults(), 64, clock, () -> 0.0);
    Run run = new Run(n -> n < 20 ? new SimulatedServer.Answer(429, Headers.of("retry-after", "1")) : ok());
    run.submit(400, Duration.ofSeconds(30));
    run.runFor(Duration.ofSeconds(5));
    assertThat(run.ok).isEqualTo(400);
    // 44 done in the first round trip; the pause ends at 1.05 s; one round trip at the halved limit (32),
    // then the limit is back at 64: 356 calls in 1 + 6 round trips
    assertThat(governor.stats(ROUTE).concurrencyLimit()).as("concurrency after the burst").isEqualTo(64);
    assertThat(run.lastDone).as("last done (ns)").isLessThanOrEqualTo(1_050 * MS + 7 * LATENCY.toNanos());
  }

  @Test
  void bucketsAreBoundedInNumberWhateverThePathsAndBusyOnesAreKept() throws Exception {
    GovernorKey busy = new GovernorKey("api.example.com", "users/alice", false);
    Permit held = governor.acquire(busy, 0, Governor.NO_DEADLINE).get();
    for (int i = 0; i < 20_000; i++) {
      GovernorKey key = new GovernorKey("api.example.com", "users/u" + Integer.toString(i, 26).replace('1', 'x'), false);
      governor.acquire(key, 0, Governor.NO_DEADLINE).get().onResponse(200, Headers.of(), OptionalLong.empty());
    }
    assertThat(governor.stats().buckets()).as("buckets kept").hasSizeLessThanOrEqualTo(Governor.MAX_BUCKETS);
    assertThat(governor.stats(busy)).as("the bucket with a call in flight").isNotNull();
    assertThat(governor.stats(busy).inFlight()).isEqualTo(1);
    held.release();
    assertThat(governor.stats().admitted()).isEqualTo(20_001);
  }
}
