package dev.fanout.internal.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.HedgePolicy;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hedging's state transitions on a fake clock, with attempts completed by hand. */
@Timeout(10)
class HedgerTest {
  private final FakeClock clock = FakeClock.create();

  /** Attempts the test completes by hand; records starts and cancels. */
  static final class Manual implements Hedger.Attempts<String> {
    final List<CompletableFuture<String>> attempts = new ArrayList<>();
    final List<Integer> cancelled = new ArrayList<>();

    @Override
    public CompletableFuture<String> start(int n) {
      CompletableFuture<String> f = new CompletableFuture<>();
      attempts.add(f);
      return f;
    }

    @Override
    public void cancel(int n, CompletableFuture<String> attempt) {
      cancelled.add(n);
      attempt.cancel(true);
    }
  }

  private Hedger warmed(HedgePolicy policy, int calls) {
    Hedger h = Hedger.create(policy, clock);
    for (int i = 0; i < calls; i++) {
      h.execute("/warm", "GET", false, n -> CompletableFuture.completedFuture("ok"));
    }
    return h;
  }

  @Test
  void fixedDelayFiresABackupAtTheDelayAndTheFirstSuccessWinsAndTheLoserIsCancelled() throws Exception {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(200)), 10); // 10 calls earn one backup
    Manual m = new Manual();
    CompletableFuture<String> result = h.execute("/users/1", "GET", false, m);
    assertThat(m.attempts).hasSize(1);

    clock.advance(Duration.ofMillis(199));
    assertThat(m.attempts).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(m.attempts).hasSize(2);

    m.attempts.get(1).complete("backup");
    assertThat(result.get()).isEqualTo("backup");
    assertThat(m.cancelled).containsExactly(0);
    assertThat(m.attempts.get(0)).isCancelled();
    assertThat(h.stats()).isEqualTo(new HedgeStats(11, 1, 1, 0, 1));
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aPrimaryThatAnswersBeforeTheDelaySendsNoBackup() throws Exception {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(200)), 10);
    Manual m = new Manual();
    CompletableFuture<String> result = h.execute("/users/1", "GET", false, m);
    clock.advance(Duration.ofMillis(150));
    m.attempts.get(0).complete("primary");
    clock.advance(Duration.ofSeconds(1));
    assertThat(result.get()).isEqualTo("primary");
    assertThat(m.attempts).hasSize(1);
    assertThat(h.stats().hedgesSent()).isZero();
  }

  @Test
  void autoHedgesAfterTheRoutesP95OnceItHasEnoughSamples() {
    Hedger h = Hedger.create(HedgePolicy.builder().auto().minSamples(20).build(), clock);
    // 100 calls on the route: 95 take 90 ms, 5 take 3 s.
    for (int i = 0; i < 100; i++) {
      Duration took = i % 20 == 19 ? Duration.ofSeconds(3) : Duration.ofMillis(90);
      if (i < 19) {
        assertThat(h.currentDelay("/lookup")).isNull(); // too few samples: no hedge yet
      }
      // The first attempt answers after `took`; backups never answer (so the first attempt wins).
      h.execute("/lookup", "GET", false, n -> n == 0 ? clock.sleep(took).thenApply(v -> "ok") : new CompletableFuture<>());
      clock.advance(took);
    }
    assertThat(h.currentDelay("/lookup")).isEqualTo(Duration.ofMillis(90));
    assertThat(h.stats().hedgesSent()).as("only the 4 slow calls after the first 20 were hedged").isEqualTo(4);
    assertThat(h.stats().losersCancelled()).isEqualTo(4);

    Manual slow = new Manual();
    h.execute("/lookup", "GET", false, slow);
    clock.advance(Duration.ofMillis(89));
    assertThat(slow.attempts).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(slow.attempts).hasSize(2);
  }

  @Test
  void latenciesAreKeptForABoundedNumberOfRoutesWhateverThePaths() {
    Hedger h = Hedger.create(HedgePolicy.auto(), clock);
    for (int i = 0; i < 20_000; i++) {
      Hedger.Ticket t = h.open("h:80 GET /users/name" + i, "GET", false, h.policy(), n -> false);
      clock.advance(Duration.ofMillis(1));
      t.close(true);
    }
    assertThat(h.routeCount()).isLessThanOrEqualTo(Hedger.MAX_ROUTES);
  }

  @Test
  void theBudgetAccruesPerCallNotPerRetriedAttempt() {
    // 500 calls at a 10% budget, each retried twice (3 attempts), every attempt slow enough to want a backup:
    // at most 50 backups (+ the cap of 10 banked), not 10% of the 1,500 attempts.
    Hedger h = Hedger.create(HedgePolicy.builder().delay(Duration.ofMillis(10)).budget(0.1).build(), clock);
    int calls = 500;
    for (int attempt = 1; attempt <= 3; attempt++) {
      List<Hedger.Ticket> tickets = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        tickets.add(h.open("/slow", "GET", false, h.policy(), attempt, n -> h.tryBackup()));
      }
      clock.advance(Duration.ofMillis(10));
      tickets.forEach(t -> t.close(false)); // each attempt fails (a 5xx) and is retried
    }
    assertThat(h.stats().hedgesSent()).as("backups sent for %d calls", calls).isLessThanOrEqualTo(calls / 10 + 10);
    assertThat(h.stats().calls()).isEqualTo(calls);
  }

  @Test
  void budgetCapsExtraLoadAtItsShareOfCalls() {
    Hedger h = Hedger.create(HedgePolicy.builder().delay(Duration.ofMillis(10)).budget(0.1).build(), clock);
    int calls = 1000;
    List<Manual> all = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      Manual m = new Manual();
      all.add(m);
      h.execute("/slow", "GET", false, m); // every call is slow: each would want a backup
    }
    clock.advance(Duration.ofSeconds(1));
    long requests = all.stream().mapToLong(m -> m.attempts.size()).sum();
    assertThat(requests - calls).as("extra requests").isLessThanOrEqualTo((long) (0.1 * calls));
    assertThat(h.stats().hedgesSent()).isEqualTo(requests - calls);
    assertThat(h.stats().budgetDenied()).isPositive();
    all.forEach(m -> m.attempts.forEach(f -> f.complete("ok")));
  }

  @Test
  void atMostMaxBackupsPerCallEachAfterTheDelay() {
    Hedger h = warmed(HedgePolicy.builder().delay(Duration.ofMillis(100)).maxBackups(2).budget(1.0).build(), 10);
    Manual m = new Manual();
    CompletableFuture<String> result = h.execute("/r", "GET", false, m);
    clock.advance(Duration.ofMillis(100));
    assertThat(m.attempts).hasSize(2);
    clock.advance(Duration.ofMillis(100));
    assertThat(m.attempts).hasSize(3);
    clock.advance(Duration.ofSeconds(5));
    assertThat(m.attempts).hasSize(3);
    m.attempts.get(0).complete("first");
    assertThat(result).isCompletedWithValue("first");
    assertThat(m.cancelled).containsExactlyInAnyOrder(1, 2);
    assertThat(h.stats().hedgesWon()).isZero();
  }

  @Test
  void nonIdempotentCallsAreNeverHedgedUnlessMarked() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 100);
    Manual post = new Manual();
    h.execute("/chat", "POST", false, post);
    clock.advance(Duration.ofSeconds(1));
    assertThat(post.attempts).hasSize(1);

    Manual marked = new Manual();
    h.execute("/chat", "POST", true, marked);
    clock.advance(Duration.ofMillis(10));
    assertThat(marked.attempts).hasSize(2);

    Manual off = new Manual();
    Hedger.create(HedgePolicy.disabled(), clock).execute("/users", "GET", false, off);
    clock.advance(Duration.ofSeconds(1));
    assertThat(off.attempts).hasSize(1);
  }

  @Test
  void aFailureWaitsForARunningBackupAndFailsOnlyWhenNoneIsLeft() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 10);
    Manual m = new Manual();
    CompletableFuture<String> result = h.execute("/r", "GET", false, m);
    clock.advance(Duration.ofMillis(10));
    m.attempts.get(0).completeExceptionally(new IllegalStateException("primary failed"));
    assertThat(result).isNotDone();
    m.attempts.get(1).complete("backup");
    assertThat(result).isCompletedWithValue("backup");

    Manual lone = new Manual();
    CompletableFuture<String> failed = h.execute("/r", "GET", false, lone);
    lone.attempts.get(0).completeExceptionally(new IllegalStateException("boom"));
    assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
    clock.advance(Duration.ofSeconds(1));
    assertThat(lone.attempts).as("no backup after the call failed").hasSize(1);
  }

  @Test
  void cancellingTheCallCancelsEveryAttemptAndTheTimer() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 10);
    Manual m = new Manual();
    CompletableFuture<String> result = h.execute("/r", "GET", false, m);
    clock.advance(Duration.ofMillis(10));
    result.cancel(true);
    assertThat(m.cancelled).containsExactlyInAnyOrder(0, 1);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anAttemptThatWinsWhileStartingLeavesNoLoserRunning() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 10);
    Map<Integer, CompletableFuture<String>> futures = new ConcurrentHashMap<>();
    List<Integer> cancelled = new ArrayList<>();
    CompletableFuture<String> result = h.execute("/r", "GET", false, new Hedger.Attempts<>() {
      @Override
      public CompletableFuture<String> start(int n) {
        CompletableFuture<String> f = new CompletableFuture<>();
        futures.put(n, f);
        if (n == 1) {
          futures.get(0).complete("primary, just as the backup starts");
        }
        return f;
      }

      @Override
      public void cancel(int n, CompletableFuture<String> attempt) {
        cancelled.add(n);
      }
    });
    clock.advance(Duration.ofMillis(10));
    assertThat(result).isCompletedWithValue("primary, just as the backup starts");
    assertThat(cancelled).containsExactly(1);
  }

  @Test
  void policyValidationNamesTheBadValue() {
    assertThatThrownBy(() -> HedgePolicy.builder().maxBackups(5)).hasMessage("maxBackups not in [1, 4]: 5");
    assertThatThrownBy(() -> HedgePolicy.builder().budget(0)).hasMessage("budget not in (0, 1]: 0.0");
    assertThatThrownBy(() -> HedgePolicy.builder().percentile(1.0)).hasMessage("percentile not in (0, 1): 1.0");
    assertThatThrownBy(() -> HedgePolicy.builder().minSamples(0)).hasMessage("minSamples < 1: 0");
    assertThatThrownBy(() -> HedgePolicy.fixed(Duration.ofMillis(-1))).hasMessage("delay < 0: PT-0.001S");
    assertThat(HedgePolicy.auto().isAuto()).isTrue();
    assertThat(HedgePolicy.auto().allows("get", false)).isTrue();
    assertThat(HedgePolicy.auto().allows("DELETE", false)).isFalse();
    assertThat(HedgePolicy.builder().idempotentMethods(Set.of("put")).build().allows("PUT", false)).isTrue();
    assertThat(HedgePolicy.disabled().allows("GET", true)).isFalse();
  }

  @Test
  void aColdAutoRouteHedgesTheSlowestShareOfItsCohortOnceThatShareHasAnswered() {
    Hedger h = Hedger.create(HedgePolicy.builder().auto().budget(1.0).build(), clock);
    List<Integer> due = new ArrayList<>();
    List<Hedger.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int id = i;
      tickets.add(h.open("/lookup", "GET", false, h.policy(), n -> {
        due.add(id);
        return h.tryBackup();
      }));
    }
    assertThat(clock.pendingTasks()).as("a cold auto route has no delay to wait for").isZero();
    for (int i = 0; i < 37; i++) {
      clock.advance(Duration.ofMillis(1));
      tickets.get(i).close(true);
    }
    assertThat(due).as("37 of 40 answered: fewer than 95%").isEmpty();
    tickets.get(37).close(true);
    assertThat(due).as("38 of 40 (95%) answered: the other two are the cohort's slowest").containsExactly(38, 39);
    assertThat(h.stats().hedgesSent()).isEqualTo(2);
    assertThat(h.currentDelay("/lookup")).as("38 samples: warm now").isNotNull();
    Hedger.Ticket joined = h.open("/lookup", "GET", false, h.policy(), n -> true);
    assertThat(clock.pendingTasks()).as("while the cohort runs, a new attempt joins it").isZero();
    tickets.get(38).close(false);
    tickets.get(39).close(false);
    joined.close(true);

    Hedger.Ticket warm = h.open("/lookup", "GET", false, h.policy(), n -> true);
    assertThat(clock.scheduledDelays()).last().isEqualTo(h.currentDelay("/lookup"));
    warm.close(true);
  }

  @Test
  void aTicketOfACallThePolicyDoesNotAllowIsInert() {
    Hedger h = Hedger.create(HedgePolicy.fixed(Duration.ofMillis(10)), clock);
    assertThat(h.open("/chat", "POST", false, h.policy(), n -> true)).isSameAs(Hedger.Ticket.NONE);
    assertThat(clock.pendingTasks()).isZero();
    Hedger.Ticket.NONE.close(true);
  }

  @Test
  void aCallWonByItsBackupRecordsItsFirstRequestAsSlowerThanAnySoTheDelayDoesNotRatchetUp() {
    Hedger h = Hedger.create(HedgePolicy.builder().auto().budget(1.0).build(), clock);
    for (int i = 0; i < 20; i++) { // 20 calls of 100 ms: p95 100 ms
      Hedger.Ticket t = h.open("/r", "GET", false, h.policy(), n -> false);
      clock.advance(Duration.ofMillis(100));
      t.close(true);
    }
    assertThat(h.currentDelay("/r")).isEqualTo(Duration.ofMillis(100));
    // A slow call: hedged at 100 ms, its backup wins 100 ms later. Recording 200 ms would make 200 ms the
    // next p95 once enough such calls came (each hedged call raising the delay by one answer).
    Hedger.Ticket slow = h.open("/r", "GET", false, h.policy(), n -> h.tryBackup());
    clock.advance(Duration.ofMillis(200));
    slow.closeWonByBackup();
    assertThat(h.currentDelay("/r")).as("1 unknown of 21 is under 5%%: p95 still 100 ms").isEqualTo(Duration.ofMillis(100));
    for (int i = 0; i < 2; i++) {
      Hedger.Ticket t = h.open("/r", "GET", false, h.policy(), n -> h.tryBackup());
      clock.advance(Duration.ofMillis(200));
      t.closeWonByBackup();
    }
    assertThat(h.currentDelay("/r")).as("3 of 23 slower than anything measured: over 5%%, so no delay is safe")
        .isSameAs(Hedger.NOT_NOW);
    int before = clock.pendingTasks();
    Hedger.Ticket t = h.open("/r", "GET", false, h.policy(), n -> true);
    assertThat(clock.pendingTasks()).as("no timer at NOT_NOW").isEqualTo(before);
    t.close(true);
  }
}
