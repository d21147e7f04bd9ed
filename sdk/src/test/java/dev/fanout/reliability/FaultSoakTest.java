package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutReport;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault soak: a settle-all of 1,000 user lookups against a backend that answers 20% of attempts with a
 * 5xx, cuts 5% before and 5% during the body, stalls 5% (ended by the client's read timeout) and rate-limits
 * in bursts (429 with {@code Retry-After}). Every input is accounted for exactly once, attempts stay within
 * the policy both as the client counts them and as the server does, the run ends within its deadline, and
 * the success rate matches what the fault rates and the attempts predict.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FaultSoakTest {
  static final int N = 1_000;
  static final int MAX_ATTEMPTS = 3;
  static final double ERROR_5XX = 0.20;
  static final double DISCONNECT_BEFORE = 0.05;
  static final double DISCONNECT_DURING = 0.05;
  static final double STALL = 0.05;
  static final Duration DEADLINE = Duration.ofSeconds(30);

  @ParameterizedTest(name = "429 bursts: {0}")
  @ValueSource(booleans = {true, false})
  void settleAllOfAThousandLookupsAccountsForEveryInputOnce(boolean rateLimitBursts) throws Exception {
    Faults.Builder fb = Faults.builder()
        .seed(7)
        .errorRate(ERROR_5XX)
        .disconnectBeforeBodyRate(DISCONNECT_BEFORE)
        .disconnectDuringBodyRate(DISCONNECT_DURING)
        .stallRate(STALL);
    if (rateLimitBursts) {
      fb.rateLimit(1_500, 50); // bursts beyond 50 at once are answered 429 + Retry-After
    }
    Faults faults = fb.build();
    Latency latency = Latency.builder()
        .delay(Duration.ofMillis(5))
        .jitter(Jitter.uniform(Duration.ofMillis(15)))
        .seed(7)
        .build();
    Map<String, List<CallTrace>> tracesByLabel = new ConcurrentHashMap<>();
    AtomicInteger traceCount = new AtomicInteger();
    try (MockBackend backend = MockBackend.builder().latency(latency).faults(faults).recordedRequests(10_000).start();
        FanoutClient client = FanoutClient.builder()
            .baseUrl(backend.url())
            .apiKey("sk-soak-secret")
            .maxInFlight(200)
            .readTimeout(Duration.ofSeconds(2)) // a stall ends here; a busy machine answers well within it
            .retryPolicy(RetryPolicy.builder()
                .maxAttempts(MAX_ATTEMPTS)
                .initialBackoff(Duration.ofMillis(10))
                .maxBackoff(Duration.ofMillis(50))
                .retryAfterCap(Duration.ofMillis(200))
                .build())
            .traceListener(t -> {
              traceCount.incrementAndGet();
              tracesByLabel.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(t);
            })
            .build()) {
      List<Long> ids = LongStream.rangeClosed(1, N).boxed().collect(Collectors.toList());

      // Open the client's 200 connections first (admin route: never limited or faulted), so the first wave
      // reaches the server within milliseconds and overflows the rate limiter's burst on any machine.
      Fanout.all(LongStream.rangeClosed(1, 200).boxed().collect(Collectors.toList()),
          (i, context) -> client.json().getAsync("__admin/stats", Object.class), FanoutOptions.defaults()).get(20, TimeUnit.SECONDS);
      backend.reset();
      traceCount.set(0);
      tracesByLabel.clear();

      long start = System.nanoTime();
      FanoutFuture<List<Outcome<User>>> run =
          Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.builder().timeout(DEADLINE).build());
      List<Outcome<User>> outcomes = run.get(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));

      // Every input exactly once, in its place, as a value or a typed failure; no duplicates.
      assertThat(outcomes).hasSize(N);
      Set<Long> seen = new HashSet<>();
      Map<String, Integer> failureTypes = new HashMap<>();
      int ok = 0;
      for (int i = 0; i < N; i++) {
        Outcome<User> o = outcomes.get(i);
        assertThat(o.index()).isEqualTo(i);
        if (o.isSuccess()) {
          ok++;
          assertThat(o.value().id()).isEqualTo(ids.get(i));
          assertThat(seen.add(o.value().id())).as("duplicate user %s", o.value().id()).isTrue();
        } else {
          assertThat(o.error()).isInstanceOf(FanoutException.class).isNotInstanceOf(FanoutTimeoutException.class);
          failureTypes.merge(o.error().getClass().getSimpleName(), 1, Integer::sum);
          // A retryable failure is the last attempt's own typed exception, after every attempt the policy allows.
          if (o.error() instanceof RateLimitedException || o.error() instanceof ServerException) {
            assertThat(((FanoutException) o.error()).attempts()).isEqualTo(MAX_ATTEMPTS);
          }
        }
      }

      // The run ended within its deadline, on its own (not by the deadline firing).
      assertThat(elapsed).isLessThan(DEADLINE);
      FanoutReport report = run.report();
      assertThat(report.finished()).isTrue();
      assertThat(report.succeeded()).isEqualTo(ok);
      assertThat(report.failed()).isEqualTo(N - ok);

      // One logical call per input, its attempts within the policy: as the client counts them...
      assertThat(traceCount.get()).isEqualTo(N);
      assertThat(tracesByLabel).hasSize(N);
      int clientAttempts = 0;
      int retried = 0;
      for (FanoutReport.Entry e : report.entries()) {
        assertThat(e.attempts()).isBetween(1, MAX_ATTEMPTS);
        assertThat(e.calls()).hasSize(1);
        clientAttempts += e.attempts();
        if (e.attempts() > 1) retried++;
      }
      // ...and as the server does, input by input.
      Map<String, Integer> serverPerPath = new HashMap<>();
      ReceivedRequest r;
      while ((r = backend.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        serverPerPath.merge(r.path(), 1, Integer::sum);
      }
      long serverRequests = stats.requests(Routes.USERS);
      assertThat(serverPerPath.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) serverRequests);
      assertThat(serverPerPath).hasSize(N);
      assertThat(serverPerPath.values()).allSatisfy(count -> assertThat(count).isBetween(1, MAX_ATTEMPTS));
      assertThat(serverRequests).as("the server saw exactly the attempts the client made").isEqualTo(clientAttempts);
      assertThat(stats.inFlight()).isZero();

      // Success rate. Every request the rate limiter admits draws its fault independently with probability q
      // (the sum of the injected rates), whatever came before, so successes = admitted attempts x (1 - q)
      // within binomial noise.
      double q = ERROR_5XX + DISCONNECT_BEFORE + DISCONNECT_DURING + STALL;
      long rateLimited = stats.faults(Stats.RATE_LIMITED);
      long admitted = serverRequests - rateLimited;
      // A success is a request that drew no fault; the few fault-free requests that still failed are ones the
      // client timed out on a loaded machine (the read timeout is short so that stalls end quickly).
      long faultFree = serverRequests - stats.faultsTotal();
      assertThat((long) ok).as("successes <= requests that drew no fault").isLessThanOrEqualTo(faultFree);
      assertThat(faultFree - ok).as("fault-free requests that failed anyway").isLessThanOrEqualTo(serverRequests / 50);
      double expectedOk = admitted * (1 - q);
      double sigmaOk = Math.sqrt(admitted * q * (1 - q));
      assertThat((double) ok).isBetween(expectedOk - 4 * sigmaOk, expectedOk + 4 * sigmaOk);
      // Per input: without rate limiting, an input fails only if all its attempts draw a fault: 1 - q^3.
      // Rate-limit bursts hit retries of the same inputs together, so there the closed form is only reported.
      double r429 = (double) rateLimited / serverRequests;
      double f = r429 + (1 - r429) * q;
      double expected = 1 - Math.pow(f, MAX_ATTEMPTS);
      double sigma = Math.sqrt(expected * (1 - expected) / N);
      double observed = (double) ok / N;
      if (rateLimitBursts) {
        // Whether a burst overflows the limiter is the scheduler's doing, so it is not asserted (it was the
        // flake of issue 10). The guarantee is: every 429 was handled, retried within the policy (the attempt
        // counts above) or surfaced as the typed RateLimitedException, never more of those than 429s served.
        assertThat(failureTypes.getOrDefault("RateLimitedException", 0)).isLessThanOrEqualTo((int) rateLimited);
      } else {
        assertThat(rateLimited).isZero();
        assertThat(observed).isBetween(expected - 4 * sigma, expected + 4 * sigma);
      }
      assertThat(stats.faults(Stats.STALL)).isPositive();

      System.out.printf(
          "RELIABILITY fault-soak(429 bursts=%s): faultFreeButFailed=%d calls=%d accounted=%d ok=%d failed=%d %s attempts=%d retriedInputs=%d "
              + "serverRequests=%d faults=%s faultsTotal=%d admitted=%d expectedOk=%.0f±%.0f independentModel=%.4f±%.4f observed=%.4f elapsedMs=%d%n",
          rateLimitBursts, faultFree - ok, N, outcomes.size(), ok, N - ok, failureTypes, clientAttempts, retried, serverRequests,
          stats.faultsInjected(), stats.faultsTotal(), admitted, expectedOk, 4 * sigmaOk, expected, 4 * sigma, observed, elapsed.toMillis());
    }
  }
}
