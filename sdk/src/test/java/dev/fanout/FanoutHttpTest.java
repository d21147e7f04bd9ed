package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.NotFoundException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The combinators over real HTTP calls: the server's own counters prove what ran at once, what was
 * cancelled and what completed. Users answer after 2 s; search after 20 ms.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FanoutHttpTest {
  private static final Duration SLOW = Duration.ofMillis(2_000);
  /** A deadline between the fast and the slow answers, with a second of room either side for a busy machine. */
  private static final Duration DEADLINE = Duration.ofMillis(1_000);

  private static MockBackend backend;
  private static FanoutClient client;

  @BeforeAll
  static void start() {
    backend = MockBackend.builder()
        .latency(Latency.builder()
            .delay(SLOW)
            .route(Routes.SEARCH, Latency.fixed(Duration.ofMillis(20)))
            .route(Routes.MODELS, Latency.none())
            .build())
        .start();
    client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none()).build();
    // One call before the tests: a cold JVM's first call (class loading, the first connection) can take
    // longer than a test's deadline on a loaded machine, which is not what the tests measure.
    client.json().getAsync("search?q=warm-up&k=1", Object.class).join();
  }

  @AfterAll
  static void stop() {
    client.close();
    backend.close();
  }

  @BeforeEach
  void reset() throws InterruptedException {
    backend.awaitIdle(Duration.ofSeconds(5));
    backend.reset();
  }

  private CompletableFuture<Map<String, Object>> search(String q) {
    return client.json().getAsync("search?q=" + q + "&k=1", new com.fasterxml.jackson.core.type.TypeReference<>() {});
  }

  @Test
  void theFanOutsBoundIsWhatTheServerSees() {
    FanoutFuture<List<User>> run = Fanout.all(List.of(1L, 2L, 3L, 4L, 5L, 6L), (input, context) -> client.users().getAsync(input),
        FanoutOptions.builder().maxConcurrency(2).build());

    List<User> users = run.await();

    assertThat(users).extracting(User::id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(backend.stats().maxInFlight()).isEqualTo(2);
    assertThat(run.report().peakConcurrency()).isEqualTo(2);
    assertThat(run.report().wall()).isGreaterThanOrEqualTo(SLOW.multipliedBy(3));
  }

  @Test
  void everyCallOfAChainIsTracedAndChargedToItsInput() {
    // Three chains of two lookups, as in the document's concurrent mode: each chain's second call is made
    // from the first call's completion, and still belongs to the chain's entry in the report.
    FanoutFuture<List<String>> run = Fanout.all(List.of(1L, 3L, 5L), (first, context) -> client.users().getAsync(first)
        .thenCompose(user -> client.users().getAsync(user.id() + 1))
        .thenApply(User::name), FanoutOptions.defaults());

    run.await();

    FanoutReport report = run.report();
    assertThat(report.entries()).allSatisfy(entry -> {
      assertThat(entry.calls()).hasSize(2);
      assertThat(entry.calls()).allSatisfy(call -> assertThat(call.ok()).isTrue());
      assertThat(entry.attempts()).isEqualTo(2);
    });
    assertThat(backend.stats().maxInFlight()).isEqualTo(3);
    assertThat(report.wall()).isGreaterThanOrEqualTo(SLOW.multipliedBy(2)).isLessThan(SLOW.multipliedBy(4));
  }

  @Test
  void aFailureFailsFastAndTheServerSeesTheOthersCancelled() throws InterruptedException {
    // Input 0 is a 404 that answers at once; the five slow lookups must be cancelled, not awaited. The 404 is
    // asked once the server holds the five (else it can fail the fan-out before some of them arrive).
    FanoutFuture<List<Object>> run = Fanout.all(List.of(0L, 1L, 2L, 3L, 4L, 5L), (id, context) -> id == 0
        ? CompletableFuture.runAsync(() -> awaitUsersInFlight(5))
            .thenCompose(ready -> client.json().getAsync("no/such/route", Object.class))
        : client.users().getAsync(id).thenApply(user -> (Object) user), FanoutOptions.defaults());

    assertThatThrownBy(run::await).isInstanceOf(NotFoundException.class);

    Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
    assertThat(stats.requests(Routes.USERS)).isEqualTo(5);
    assertThat(stats.aborted()).isEqualTo(5);
    // Decided by the 404, well before the lookups (held since usersArrivedNanos) could answer.
    long decidedNanos = run.report().startNanoTime() + run.report().wall().toNanos();
    assertThat(Duration.ofNanos(decidedNanos - usersArrivedNanos)).isLessThan(SLOW);
    assertThat(run.report().entries()).extracting(FanoutReport.Entry::outcome)
        .containsExactly(Outcome.Kind.FAILED, Outcome.Kind.CANCELLED, Outcome.Kind.CANCELLED,
            Outcome.Kind.CANCELLED, Outcome.Kind.CANCELLED, Outcome.Kind.CANCELLED);
    assertThat(run.report().entries().get(0).errorType()).isEqualTo(dev.fanout.errors.NotFoundException.class);
  }

  @Test
  void settleAllAtTheDeadlineKeepsTheFastAndTimesOutTheSlow() throws InterruptedException {
    FanoutFuture<List<Outcome<Object>>> run = Fanout.settleAll(List.of("fast-a", "slow-b", "fast-c"),
        (name, context) -> name.startsWith("fast")
            ? search(name).thenApply(result -> (Object) result)
            : client.users().getAsync(7).thenApply(user -> (Object) user),
        FanoutOptions.builder().timeout(DEADLINE).build());

    List<Outcome<Object>> outcomes = run.await();

    assertThat(outcomes.get(0).isSuccess()).isTrue();
    assertThat(outcomes.get(1).isTimedOut()).isTrue();
    assertThat(outcomes.get(2).isSuccess()).isTrue();
    Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
    assertThat(stats.aborted()).isEqualTo(1);
    assertThat(run.report().wall()).isGreaterThanOrEqualTo(DEADLINE).isLessThan(SLOW);
  }

  @Test
  void firstSuccessCancelsTheLosersAtTheServer() throws InterruptedException {
    FanoutFuture<Object> run = Fanout.firstSuccess(List.of("replica-1", "replica-2", "fast"),
        (name, context) -> name.equals("fast")
            ? search(name).thenApply(result -> (Object) result)
            : client.users().getAsync(1).thenApply(user -> (Object) user), FanoutOptions.defaults());

    assertThat(run.await()).isInstanceOf(Map.class);

    Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
    assertThat(stats.aborted()).isEqualTo(2);
    assertThat(stats.requests(Routes.SEARCH)).isEqualTo(1);
  }

  private static volatile long usersArrivedNanos;

  private static void awaitUsersInFlight(int n) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (backend.stats().inFlight() < n && System.nanoTime() < until) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    usersArrivedNanos = System.nanoTime();
  }
}
