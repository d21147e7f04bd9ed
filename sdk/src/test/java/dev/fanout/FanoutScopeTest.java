package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FanoutScope}: its three join policies driven by hand-completed futures and a {@link FakeClock}, the
 * errors that name a fork, deadlines shared with nested scopes, its report, and cancels that reach the
 * server.
 */
@Timeout(30)
class FanoutScopeTest {
  private final FakeClock clock = FakeClock.create();

  /** Forks' futures completed by the test, by label. */
  private static final class Manual {
    final Map<String, CompletableFuture<Object>> futures = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> start(String label) {
      CompletableFuture<Object> future = new CompletableFuture<>();
      futures.put(label, future);
      return (CompletableFuture<T>) future;
    }

    void complete(String label, Object value) {
      futures.get(label).complete(value);
    }

    void fail(String label, RuntimeException error) {
      futures.get(label).completeExceptionally(error);
    }

    boolean cancelled(String label) {
      return futures.get(label).isCancelled();
    }
  }

  private FanoutOptions timeout(Duration timeout) {
    return FanoutOptions.builder().timeout(timeout).clock(clock).build();
  }

  @Test
  void failFastThrowsTheFirstFailureAndCancelsTheOtherForks() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, timeout(Duration.ofSeconds(5)))) {
      FanoutScope.Handle<String> user = scope.fork("user", ctx -> work.start("user"));
      FanoutScope.Handle<Integer> count = scope.fork("count", ctx -> work.start("count"));
      FanoutScope.Handle<String> slow = scope.fork("slow", ctx -> work.start("slow"));
      work.complete("user", "ada");
      IllegalArgumentException boom = new IllegalArgumentException("boom");
      work.fail("count", boom);

      assertThat(work.cancelled("slow")).as("decided at the first failure, before any join").isTrue();
      assertThatThrownBy(scope::join).isSameAs(boom);
      assertThat(user.get()).isEqualTo("ada");
      assertThatThrownBy(count::get).isSameAs(boom);
      assertThat(slow.kind()).isEqualTo(Outcome.Kind.CANCELLED);
      assertThatThrownBy(slow::get).isInstanceOf(FanoutCancelledException.class);
      assertThat(scope.report().entries()).extracting(FanoutReport.Entry::label)
          .containsExactly("user", "count", "slow");
    }
  }

  @Test
  void failFastSucceedsWhenEveryForkDoes() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
      FanoutScope.Handle<String> name = scope.fork("name", ctx -> work.start("name"));
      FanoutScope.Handle<Integer> age = scope.fork("age", ctx -> work.start("age"));
      FanoutFuture<Void> joined = scope.joinAsync();
      work.complete("age", 36);
      assertThat(joined).isNotDone();
      work.complete("name", "ada");

      assertThat(joined).isCompleted();
      scope.join();
      String n = name.get();
      int a = age.get();
      assertThat(n + a).isEqualTo("ada36");
    }
  }

  @Test
  void aForkMadeAfterTheScopeFailedIsNeverStarted() {
    Manual work = new Manual();
    AtomicBoolean started = new AtomicBoolean();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
      scope.fork("first", ctx -> work.start("first"));
      work.fail("first", new IllegalStateException("down"));
      FanoutScope.Handle<String> late = scope.fork("late", ctx -> {
        started.set(true);
        return work.start("late");
      });

      assertThatThrownBy(scope::join).hasMessage("down");
      assertThat(started).isFalse();
      assertThat(late.kind()).isEqualTo(Outcome.Kind.CANCELLED);
    }
  }

  @Test
  void settleAllKeepsEveryOutcomeAndDoesNotThrowForAFailure() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.SETTLE_ALL, timeout(Duration.ofSeconds(5)))) {
      FanoutScope.Handle<String> ok = scope.fork("ok", ctx -> work.start("ok"));
      FanoutScope.Handle<String> bad = scope.fork("bad", ctx -> work.start("bad"));
      work.fail("bad", new IllegalStateException("bad"));
      assertThat(work.cancelled("ok")).as("a failure does not stop the others").isFalse();
      work.complete("ok", "fine");

      scope.join();
      assertThat(ok.get()).isEqualTo("fine");
      assertThat(bad.outcome().kind()).isEqualTo(Outcome.Kind.FAILED);
      assertThat(bad.outcome().error()).hasMessage("bad");
      assertThat(scope.late()).isEmpty();
    }
  }

  @Test
  void settleAllThrowsATimeoutNamingTheLateForksAtTheDeadline() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.SETTLE_ALL, timeout(Duration.ofSeconds(1)))) {
      FanoutScope.Handle<String> fast = scope.fork("fast", ctx -> work.start("fast"));
      scope.fork("retriever tickets", ctx -> work.start("tickets"));
      work.complete("fast", "v");
      FanoutFuture<Void> joined = scope.joinAsync();
      clock.advance(Duration.ofMillis(999));
      assertThat(joined).isNotDone();
      clock.advance(Duration.ofMillis(1));

      assertThatThrownBy(scope::join).isInstanceOf(FanoutTimeoutException.class)
          .hasMessageContaining("late: retriever tickets");
      assertThat(work.cancelled("tickets")).isTrue();
      assertThat(fast.get()).isEqualTo("v");
      assertThat(scope.late()).containsExactly("retriever tickets");
    }
  }

  @Test
  void untilDeadlineReturnsWhatArrivedAndNamesTheLateForks() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE, timeout(Duration.ofSeconds(1)))) {
      FanoutScope.Handle<String> docs = scope.fork("docs", ctx -> work.start("docs"));
      FanoutScope.Handle<String> faq = scope.fork("faq", ctx -> work.start("faq"));
      FanoutScope.Handle<String> forum = scope.fork("forum", ctx -> work.start("forum"));
      work.complete("docs", "d");
      work.fail("forum", new IllegalStateException("forum down"));
      FanoutFuture<Void> joined = scope.joinAsync();
      assertThat(joined).isNotDone();
      clock.advance(Duration.ofSeconds(1));

      scope.join(); // no throw: the late fork is an outcome
      assertThat(docs.get()).isEqualTo("d");
      assertThat(faq.kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
      assertThatThrownBy(faq::get).isInstanceOf(FanoutTimeoutException.class).hasMessageContaining("late: faq");
      assertThat(forum.outcome().kind()).isEqualTo(Outcome.Kind.FAILED);
      assertThat(work.cancelled("faq")).isTrue();
      assertThat(scope.late()).containsExactly("faq");
    }
  }

  @Test
  void aForkWhoseCallTimesOutAtTheSharedDeadlineIsLateNotFailed() {
    Manual work = new Manual();
    // The fork's own call deadline is the scope's; its timer, set first, fires first.
    clock.schedule(Duration.ofSeconds(1), () -> work.fail("search tickets",
        new FanoutTimeoutException("GET /search did not finish within its deadline", Duration.ofSeconds(1))));
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE, timeout(Duration.ofSeconds(1)))) {
      scope.fork("search tickets", ctx -> work.start("search tickets"));
      FanoutScope.Handle<String> early = scope.fork("own timeout", ctx -> work.start("own timeout"));
      work.fail("own timeout", new FanoutTimeoutException("a call's own 100 ms timeout", Duration.ofMillis(100)));
      clock.advance(Duration.ofSeconds(1));

      scope.join();
      assertThat(scope.late()).containsExactly("search tickets");
      assertThat(early.kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
    }
  }

  @Test
  void untilDeadlineReturnsAtOnceWhenEveryForkIsDoneBeforeIt() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE, timeout(Duration.ofSeconds(1)))) {
      FanoutScope.Handle<String> a = scope.fork("a", ctx -> work.start("a"));
      work.complete("a", "x");
      scope.join();
      assertThat(a.get()).isEqualTo("x");
      assertThat(clock.pendingTasks()).as("the deadline timer was cancelled").isZero();
    }
  }

  @Test
  void failFastThrowsATimeoutAtTheDeadline() {
    Manual work = new Manual();
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, timeout(Duration.ofSeconds(2)))) {
      scope.fork("slow", ctx -> work.start("slow"));
      clock.advance(Duration.ofSeconds(2));
      assertThatThrownBy(scope::join).isInstanceOf(FanoutTimeoutException.class).hasMessageContaining("late: slow");
    }
  }

  @Test
  void forkAfterJoinOrCloseAndReadBeforeJoinNameTheFork() {
    Manual work = new Manual();
    FanoutScope scope = Fanout.scope(FanoutScope.Policy.SETTLE_ALL, FanoutOptions.defaults());
    FanoutScope.Handle<String> profile = scope.fork("profile", ctx -> work.start("profile"));
    assertThatThrownBy(profile::get).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("\"profile\"").hasMessageContaining("before the scope's join");
    work.complete("profile", "p");
    assertThatThrownBy(profile::outcome).as("settled is not joined").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("\"profile\"");
    scope.join();
    assertThat(profile.get()).isEqualTo("p");
    assertThatThrownBy(() -> scope.fork("embed", ctx -> work.start("embed")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("\"embed\"").hasMessageContaining("joined");
    scope.close();
    assertThatThrownBy(() -> scope.fork("rank", ctx -> work.start("rank")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("\"rank\"").hasMessageContaining("closed");
  }

  @Test
  void badLabelsAreRefused() {
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
      assertThatThrownBy(() -> scope.fork(" ", ctx -> CompletableFuture.completedFuture(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label is blank");
      assertThatThrownBy(() -> scope.fork(null, ctx -> CompletableFuture.completedFuture(1)))
          .isInstanceOf(NullPointerException.class).hasMessage("label == null");
    }
  }

  @Test
  void closeWithoutJoinCancelsEveryForkAndTheJoinSaysSo() {
    Manual work = new Manual();
    FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults());
    scope.fork("a", ctx -> work.start("a"));
    FanoutScope.Handle<String> b = scope.fork("b", ctx -> work.start("b"));
    scope.close();
    assertThat(work.cancelled("a")).isTrue();
    assertThat(work.cancelled("b")).isTrue();
    assertThatThrownBy(scope::join).isInstanceOf(FanoutCancelledException.class)
        .hasMessageContaining("scope was closed");
    assertThat(b.kind()).isEqualTo(Outcome.Kind.CANCELLED);
  }

  @Test
  void aNestedScopeKeepsTheEarlierDeadlineAndIsCancelledWithItsFork() {
    Manual work = new Manual();
    AtomicInteger nestedSeen = new AtomicInteger();
    try (FanoutScope outer = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE, timeout(Duration.ofSeconds(1)))) {
      FanoutScope.Handle<List<Outcome<String>>> tools = outer.fork("tools", ctx -> {
        // Asks for 5 s; the outer scope's 1 s wins.
        FanoutScope inner = Fanout.scope(FanoutScope.Policy.SETTLE_ALL,
            FanoutOptions.builder().timeout(Duration.ofSeconds(5)).context(ctx).build());
        assertThat(inner.deadline().remaining()).isEqualTo(Duration.ofSeconds(1));
        FanoutScope.Handle<String> search = inner.fork("search", c -> work.start("search"));
        nestedSeen.incrementAndGet();
        return inner.joinAsync().thenApply(v -> List.of(search.outcome()));
      });
      FanoutScope.Handle<String> short_ = outer.fork("short", ctx -> {
        // Asks for 100 ms: earlier than the outer 1 s, so it is its own.
        FanoutScope inner = Fanout.scope(FanoutScope.Policy.FAIL_FAST,
            FanoutOptions.builder().timeout(Duration.ofMillis(100)).build()); // current() is the fork's context
        assertThat(inner.deadline().remaining()).isEqualTo(Duration.ofMillis(100));
        inner.fork("quick", c -> work.start("quick"));
        return inner.joinAsync().thenApply(v -> "never");
      });
      assertThat(nestedSeen).hasValue(1);

      clock.advance(Duration.ofMillis(100));
      assertThat(work.cancelled("quick")).as("the inner 100 ms deadline").isTrue();
      assertThat(work.cancelled("search")).isFalse();

      clock.advance(Duration.ofMillis(900));
      outer.join();
      assertThat(work.cancelled("search")).as("the outer deadline reaches the nested scope's fork").isTrue();
      assertThat(tools.kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
      assertThat(short_.outcome().error()).isInstanceOf(FanoutTimeoutException.class)
          .hasMessageContaining("late: quick");
      assertThat(outer.late()).containsExactly("tools");
    }
  }

  @Test
  void aContextCreatedWithADeadlineHandsItToItsCallsAndScopes() {
    Deadline soon = Deadline.after(Duration.ofSeconds(3), clock);
    FanoutContext context = FanoutContext.none().withDeadline(soon);
    assertThat(context.deadline()).isSameAs(soon);
    assertThat(context.isNone()).isFalse();
    assertThat(context.withDeadline(Deadline.after(Duration.ofSeconds(10), clock)).deadline())
        .as("the earlier wins").isSameAs(soon);
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST,
        FanoutOptions.builder().context(context).timeout(Duration.ofSeconds(10)).build())) {
      assertThat(scope.deadline()).isSameAs(soon);
    }
  }

  @Test
  void theReportHasOneEntryPerForkAndCountsCallsNotAttempts() throws Exception {
    AtomicInteger userRequests = new AtomicInteger();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          String path = request.getUrl().encodedPath();
          if (path.startsWith("/users/7")) {
            // The first attempt at user 7 fails with a 503, the retry succeeds: one call, two attempts.
            return userRequests.incrementAndGet() == 1 ? Responses.json(503, "{}") : Responses.user(7);
          }
          if (path.startsWith("/users/")) {
            return Responses.user(Long.parseLong(path.substring("/users/".length())));
          }
          return Responses.json(404, "{}");
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder()
          .baseUrl(server.url("/").toString())
          .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).build())
          .build();
          FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
        FanoutScope.Handle<User> seven = scope.fork("user 7", ctx -> client.users().withContext(ctx).getAsync(7));
        FanoutScope.Handle<List<User>> team = scope.fork("team", ctx -> Fanout.all(List.of(1L, 2L, 3L),
            (id, c) -> client.users().withContext(c).getAsync(id), FanoutOptions.builder().context(ctx).build()));
        FanoutScope.Handle<String> local = scope.fork("local", ctx -> CompletableFuture.completedFuture("x"));
        scope.join();

        assertThat(seven.get().id()).isEqualTo(7);
        assertThat(team.get()).extracting(User::id).containsExactly(1L, 2L, 3L);
        assertThat(local.get()).isEqualTo("x");
        FanoutReport report = scope.report();
        assertThat(report.combinator()).isEqualTo("scope");
        assertThat(report.finished()).isTrue();
        assertThat(report.entries()).extracting(FanoutReport.Entry::label).containsExactly("user 7", "team", "local");
        FanoutReport.Entry user = report.entries().get(0);
        assertThat(user.calls()).hasSize(1);
        assertThat(user.attempts()).isEqualTo(2);
        assertThat(report.entries().get(1).calls()).as("the nested fan-out's calls count in its fork").hasSize(3);
        assertThat(report.entries()).allMatch(FanoutReport.Entry::ok);
        assertThat(report.toString()).contains("1 call(s), 2 attempt(s)");
      }
    }
  }

  @Test
  void closingTheScopeCancelsItsCallsAtTheServer() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(30)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none()).build()) {
      FanoutScope scope = Fanout.scope(FanoutScope.Policy.SETTLE_ALL, FanoutOptions.defaults());
      FanoutScope.Handle<User> a = scope.fork("a", ctx -> client.users().withContext(ctx).getAsync(1));
      // The second call starts on another thread, through the fork's context.
      FanoutScope.Handle<User> b = scope.fork("b", ctx -> CompletableFuture.supplyAsync(() -> 2L)
          .thenCompose(id -> client.users().withContext(ctx).getAsync(id)));
      eventually(() -> backend.stats().inFlight() == 2);

      scope.close();

      eventually(() -> backend.stats().aborted() == 2);
      assertThat(backend.stats().completed()).isZero();
      assertThat(a.kind()).isEqualTo(Outcome.Kind.CANCELLED);
      assertThat(b.kind()).isEqualTo(Outcome.Kind.CANCELLED);
    }
  }

  private static void eventually(BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached within 10 s").isLessThan(end);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
