package dev.fanout.internal.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.HedgePolicy;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hedger's state on a fake clock, through the tickets the call path opens: when a backup is due, the
 * budget, the route's percentile and the cold cohort. Each test stands in for the call path and counts what
 * the hedger asked of it and what the budget gave. The race a ticket's backups run in (first success wins,
 * losers cancelled at the socket, a failure waits for a running backup) is the call path's, and so are the
 * counts of hedges sent and won (the call's events, heard by its trace and the client's stats): tested
 * against real requests in {@code HedgingTest}.
 */
@Timeout(10)
class HedgerTest {
  private final FakeClock clock = FakeClock.create();

  /**
   * One attempt as the call path runs it: its ticket, the backups the hedger said were due, those the budget
   * gave (sent) and those it denied.
   */
  static final class Attempt {
    final List<Integer> due = new ArrayList<>();
    final List<Integer> sent = new ArrayList<>();
    int denied;
    Hedger.Ticket ticket;

    static Attempt open(Hedger h, String route, String method, boolean marked) {
      Attempt a = new Attempt();
      a.ticket = h.open(route, method, marked, h.policy(), n -> a.backupDue(h, n));
      return a;
    }

    /** As the call path does when backup {@code n} is due: takes it from the budget and sends it, if it can. */
    boolean backupDue(Hedger h, int n) {
      due.add(n);
      if (!h.tryBackup()) {
        denied++;
        return false;
      }
      sent.add(n);
      return true;
    }

    int requests() {
      return 1 + sent.size();
    }
  }

  private Hedger warmed(HedgePolicy policy, int calls) {
    Hedger h = Hedger.create(policy, clock);
    for (int i = 0; i < calls; i++) {
      h.open("/warm", "GET", false, h.policy(), n -> h.tryBackup()).close(true);
    }
    return h;
  }

  @Test
  void fixedDelayMakesABackupDueAtTheDelayThatTheBudgetGives() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(200)), 10); // 10 calls earn one backup
    Attempt a = Attempt.open(h, "/users/1", "GET", false);

    clock.advance(Duration.ofMillis(199));
    assertThat(a.due).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(a.sent).containsExactly(1);
    assertThat(a.denied).isZero();

    // the backup's response wins (the race cancels the first request; the win is the call's event)
    a.ticket.closeWonByBackup();
    assertThat(clock.pendingTasks()).isZero();
    Attempt next = Attempt.open(h, "/users/1", "GET", false);
    clock.advance(Duration.ofMillis(200));
    assertThat(next.denied).as("11 calls earned 1.1 backups, 1 is spent").isEqualTo(1);
    next.ticket.close(true);
  }

  @Test
  void anAttemptThatAnswersBeforeTheDelayGetsNoBackup() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(200)), 10);
    Attempt a = Attempt.open(h, "/users/1", "GET", false);
    clock.advance(Duration.ofMillis(150));
    a.ticket.close(true);
    clock.advance(Duration.ofSeconds(1));
    assertThat(a.due).as("no backup was due, none taken from the budget").isEmpty();
  }

  @Test
  void autoHedgesAfterTheRoutesP95OnceItHasEnoughSamples() {
    Hedger h = Hedger.create(HedgePolicy.builder().auto().minSamples(20).build(), clock);
    int[] hedged = new int[1];
    int[] firstWonOverItsBackup = new int[1];
    // 100 calls on the route, one after another: 95 take 90 ms, 5 take 3 s (their first request wins).
    for (int i = 0; i < 100; i++) {
      Duration took = i % 20 == 19 ? Duration.ofSeconds(3) : Duration.ofMillis(90);
      if (i < 19) {
        assertThat(h.currentDelay("/lookup")).isNull(); // too few samples: no hedge yet
      }
      // The first request's answer is due at `took`, on a timer set before the ticket's (so at the same
      // instant the answer comes first, as a response that arrived before the hedge timer fired).
      Attempt[] a = new Attempt[1];
      clock.schedule(took, () -> {
        if (!a[0].sent.isEmpty()) {
          firstWonOverItsBackup[0]++; // the first request won: the race cancels the backup
        }
        a[0].ticket.close(true);
      });
      a[0] = Attempt.open(h, "/lookup", "GET", false);
      clock.advance(took);
      hedged[0] += a[0].sent.size();
    }
    assertThat(h.currentDelay("/lookup")).isEqualTo(Duration.ofMillis(90));
    assertThat(hedged[0]).as("only the 4 slow calls after the first 20 were hedged").isEqualTo(4);
    assertThat(firstWonOverItsBackup[0]).as("each with its backup out when its first request answered").isEqualTo(4);

    Attempt slow = Attempt.open(h, "/lookup", "GET", false);
    clock.advance(Duration.ofMillis(89));
    assertThat(slow.requests()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(slow.requests()).isEqualTo(2);
    slow.ticket.close(true);
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
    List<Integer> sentPerAttempt = new ArrayList<>();
    for (int attempt = 1; attempt <= 3; attempt++) {
      int[] sent = new int[1];
      List<Hedger.Ticket> tickets = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        tickets.add(h.open("/slow", "GET", false, h.policy(), attempt, n -> h.tryBackup() && ++sent[0] > 0));
      }
      clock.advance(Duration.ofMillis(10));
      tickets.forEach(t -> t.close(false)); // each attempt fails (a 5xx) and is retried
      sentPerAttempt.add(sent[0]);
    }
    assertThat(sentPerAttempt.stream().mapToInt(Integer::intValue).sum()).as("backups sent for %d calls", calls)
        .isLessThanOrEqualTo(calls / 10 + 10);
    assertThat(sentPerAttempt).as("only the %d calls' first attempts earned backups: 10%% of them", calls)
        .containsExactly(calls / 10, 0, 0);
  }

  @Test
  void budgetCapsExtraLoadAtItsShareOfCalls() {
    Hedger h = Hedger.create(HedgePolicy.builder().delay(Duration.ofMillis(10)).budget(0.1).build(), clock);
    int calls = 1000;
    List<Attempt> all = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      all.add(Attempt.open(h, "/slow", "GET", false)); // every call is slow: each would want a backup
    }
    clock.advance(Duration.ofSeconds(1));
    long requests = all.stream().mapToLong(Attempt::requests).sum();
    assertThat(requests - calls).as("extra requests").isLessThanOrEqualTo((long) (0.1 * calls));
    assertThat(all.stream().mapToInt(a -> a.sent.size()).sum()).isEqualTo(requests - calls);
    assertThat(all.stream().mapToInt(a -> a.denied).sum()).as("backups the budget denied").isPositive();
    all.forEach(a -> a.ticket.close(true));
  }

  @Test
  void atMostMaxBackupsPerAttemptEachAfterTheDelay() {
    Hedger h = warmed(HedgePolicy.builder().delay(Duration.ofMillis(100)).maxBackups(2).budget(1.0).build(), 10);
    Attempt a = Attempt.open(h, "/r", "GET", false);
    clock.advance(Duration.ofMillis(100));
    assertThat(a.requests()).isEqualTo(2);
    clock.advance(Duration.ofMillis(100));
    assertThat(a.requests()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(5));
    assertThat(a.sent).containsExactly(1, 2);
    a.ticket.close(true); // the first request won
    assertThat(a.due).as("no third backup was asked for").containsExactly(1, 2);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void nonIdempotentCallsAreNeverHedgedUnlessMarked() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 100);
    Attempt post = Attempt.open(h, "/chat", "POST", false);
    assertThat(post.ticket).isSameAs(Hedger.Ticket.NONE);
    clock.advance(Duration.ofSeconds(1));
    assertThat(post.requests()).isEqualTo(1);

    Attempt marked = Attempt.open(h, "/chat", "POST", true);
    clock.advance(Duration.ofMillis(10));
    assertThat(marked.requests()).isEqualTo(2);
    marked.ticket.close(true);

    Hedger off = Hedger.create(HedgePolicy.disabled(), clock);
    Attempt unhedged = Attempt.open(off, "/users", "GET", false);
    clock.advance(Duration.ofSeconds(1));
    assertThat(unhedged.requests()).isEqualTo(1);
  }

  @Test
  void anAttemptThatFailsGetsNoFurtherBackup() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 10);
    Attempt lone = Attempt.open(h, "/r", "GET", false);
    lone.ticket.close(false); // its only request failed: the attempt is over
    clock.advance(Duration.ofSeconds(1));
    assertThat(lone.requests()).as("no backup after the attempt failed").isEqualTo(1);
  }

  @Test
  void closingATicketCancelsItsPendingBackupTimer() {
    Hedger h = warmed(HedgePolicy.fixed(Duration.ofMillis(10)), 10);
    Attempt a = Attempt.open(h, "/r", "GET", false);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    a.ticket.close(false); // the call was cancelled
    assertThat(clock.pendingTasks()).isZero();
    a.ticket.close(true); // idempotent
    assertThat(h.currentDelay("/r")).isEqualTo(Duration.ofMillis(10));
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
    int[] sent = new int[1];
    List<Hedger.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int id = i;
      tickets.add(h.open("/lookup", "GET", false, h.policy(), n -> {
        due.add(id);
        return h.tryBackup() && ++sent[0] > 0;
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
    assertThat(sent[0]).as("the budget gave both").isEqualTo(2);
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
  void aColdAttemptStartedLateGetsItsBackupWhenItReachesThePercentileNotWhenAnotherEnds() {
    Hedger h = Hedger.create(HedgePolicy.builder().auto().budget(1.0).build(), clock);
    List<Integer> due = new ArrayList<>();
    List<Hedger.Ticket> tickets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      if (i == 38) {
        clock.advance(Duration.ofMillis(90)); // the last two are submitted late, as on a busy machine
      }
      int id = i;
      tickets.add(h.open("/lookup", "GET", false, h.policy(), n -> {
        due.add(id);
        return h.tryBackup();
      }));
    }
    for (int i = 0; i < 38; i++) { // 91..128 ms each
      clock.advance(Duration.ofMillis(1));
      tickets.get(i).close(true);
    }
    Duration p95 = h.currentDelay("/lookup");
    Duration age = Duration.ofMillis(128 - 90);
    assertThat(p95).isGreaterThan(age);
    assertThat(due).as("95% answered, but the two left are younger than the p95 seen").isEmpty();

    clock.advance(p95.minus(age).minusNanos(1));
    assertThat(due).isEmpty();
    clock.advance(Duration.ofNanos(1));
    assertThat(due).as("no other attempt of the cohort is left to end: each is due at the p95's age")
        .containsExactly(38, 39);
    tickets.get(38).close(false);
    tickets.get(39).close(false);
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
