package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling a fan-out midway: every call still in flight is cancelled and the server sees it end, and no
 * per-input callback runs once {@code cancel} has returned.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CancelMidwayTest {
  static final int N = 200;

  @Test
  void cancelReachesEveryCallInFlightAndSilencesTheCallbacks() throws Exception {
    // A fifth answered at once, the rest held for minutes: when the cancel comes, what is in flight is held, so
    // how long a busy machine takes to get there does not change which calls the cancel finds.
    Latency latency = Latency.builder().delay(Duration.ZERO).tail(0.8, Duration.ofMinutes(5)).seed(3).build();
    try (MockBackend backend = MockBackend.builder().latency(latency).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none()).build()) {
      List<Long> ids = LongStream.rangeClosed(1, N).boxed().collect(Collectors.toList());
      AtomicBoolean cancelReturned = new AtomicBoolean();
      AtomicInteger callbacks = new AtomicInteger();
      AtomicInteger callbacksAfterCancel = new AtomicInteger();
      FanoutFuture<List<Outcome<User>>> run = Fanout.asCompleted(ids, (input, context) -> client.users().getAsync(input),
          FanoutOptions.defaults(), outcome -> {
            if (cancelReturned.get()) {
              callbacksAfterCancel.incrementAndGet();
            }
            callbacks.incrementAndGet();
          });

      // Midway: every request has arrived, and every answer the server wrote has reached its callback.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((backend.stats().requests(Routes.USERS) < N || callbacks.get() < 10
          || callbacks.get() != backend.stats().completed()) && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(N);
      assertThat(run.cancel(true)).isTrue();
      cancelReturned.set(true);
      int callbacksAtCancel = callbacks.get();

      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.completed()).isLessThan(N);
      assertThat(stats.completed() + stats.aborted()).isEqualTo(N);
      assertThat(stats.aborted()).isGreaterThanOrEqualTo(N - callbacksAtCancel - 5L);
      // Cancelled OkHttp calls leave the dispatcher once their threads notice the closed socket.
      long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (client.httpClient().dispatcher().runningCallsCount() > 0 && System.nanoTime() < drained) {
        Thread.sleep(5);
      }
      assertThat(client.httpClient().dispatcher().runningCallsCount()).isZero();

      // Every input is accounted for: the answered ones ok, the rest cancelled.
      var report = run.report();
      assertThat(report.entries()).hasSize(N);
      assertThat(report.succeeded()).isGreaterThanOrEqualTo(callbacksAtCancel).isLessThanOrEqualTo((int) stats.completed());
      assertThat(report.entries()).filteredOn(e -> !e.ok())
          .allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(dev.fanout.Outcome.Kind.CANCELLED);
            assertThat(e.errorType()).isEqualTo(FanoutCancelledException.class);
          });

      // Give any straggling callback the chance to run: the calls it would report on have all ended.
      long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      while (System.nanoTime() < settle) {
        Thread.sleep(10);
      }
      assertThat(callbacksAfterCancel.get()).isZero();
      assertThat(callbacks.get()).isEqualTo(callbacksAtCancel);
      System.out.printf("RELIABILITY cancel-midway: calls=%d answeredBeforeCancel=%d serverCompleted=%d serverAborted=%d callbacksAfterCancel=%d%n",
          N, callbacksAtCancel, stats.completed(), stats.aborted(), callbacksAfterCancel.get());
    }
  }

  @Test
  void closingAnAsCompletedStreamMidwayCancelsTheRestAtTheServer() throws Exception {
    Latency latency = Latency.builder().delay(Duration.ofMillis(20)).jitter(Jitter.uniform(Duration.ofSeconds(10))).seed(4).build();
    try (MockBackend backend = MockBackend.builder().latency(latency).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none()).build()) {
      List<Long> ids = LongStream.rangeClosed(1, 100).boxed().collect(Collectors.toList());
      int taken;
      try (java.util.stream.Stream<Outcome<User>> stream =
          Fanout.asCompletedStream(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults())) {
        taken = (int) stream.limit(10).filter(Outcome::isSuccess).count(); // the ten fastest, then close
      }
      assertThat(taken).isEqualTo(10);
      // A cancelled request still in the socket buffer may reach the server a moment later, and end at once.
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (stats.completed() + stats.aborted() != stats.requests(Routes.USERS) && System.nanoTime() < until) {
        Thread.sleep(10);
        stats = backend.awaitIdle(Duration.ofSeconds(5));
      }
      assertThat(stats.inFlight()).isZero();
      // Every request that reached the server either completed or was aborted (some never left the client).
      assertThat(stats.completed() + stats.aborted()).isEqualTo(stats.requests(Routes.USERS));
      assertThat(stats.completed()).isLessThan(50);
      assertThat(stats.aborted()).isPositive();
    }
  }

  @Test
  void closingTheClientMidwayFailsEveryCallAndTheServerSeesThemEnd() throws Exception {
    // A governor capped from its first call (a REST route is otherwise open until its first answer) and no
    // response within the test: 32 calls are at the server and 18 wait for the governor when the client
    // closes. Both kinds must fail, once each.
    int probe = dev.fanout.GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY;
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(5)))) {
      FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
          .governor(dev.fanout.GovernorPolicy.builder().capBeforeFirstLimit(true).build()).build();
      List<Long> ids = LongStream.rangeClosed(1, 50).boxed().collect(Collectors.toList());
      FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults());
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (backend.stats().inFlight() < probe && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      long start = System.nanoTime();
      client.close();

      List<Outcome<User>> outcomes = run.get(5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(outcomes).hasSize(50).allSatisfy(o -> assertThat(o.error()).isInstanceOf(FanoutCancelledException.class));
      assertThat(run.report().entries()).hasSize(50).allSatisfy(e -> assertThat(e.calls()).hasSize(1));
      Stats stats = backend.awaitIdle(Duration.ofSeconds(3));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.requests(Routes.USERS)).as("the waiters never reached the server").isEqualTo(probe);
      assertThat(stats.aborted()).isEqualTo(probe);
      assertThat(client.httpClient().connectionPool().connectionCount()).isZero();
    }
  }

  @Test
  void closingTheClientMidwayWithTheGovernorOffFailsEveryCallInFlight() throws Exception {
    // Without the governor every call is at the server at once (the width this client allows).
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(5)))) {
      FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
          .governor(dev.fanout.GovernorPolicy.disabled()).build();
      List<Long> ids = LongStream.rangeClosed(1, 50).boxed().collect(Collectors.toList());
      FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults());
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (backend.stats().inFlight() < 50 && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      client.close();

      List<Outcome<User>> outcomes = run.get(5, TimeUnit.SECONDS);
      assertThat(outcomes).hasSize(50).allSatisfy(o -> assertThat(o.error()).isInstanceOf(FanoutCancelledException.class));
      Stats stats = backend.awaitIdle(Duration.ofSeconds(3));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.aborted()).isEqualTo(50);
    }
  }
}
