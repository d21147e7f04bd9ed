package dev.fanout.internal.hedge;

import dev.fanout.FanoutClock;
import dev.fanout.HedgePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

/**
 * A client's hedging. The call path opens a {@link Ticket} per attempt ({@link #open}) and is told when a
 * backup is due; {@link #execute} runs a whole call of future-returning attempts the same way (tests, and
 * callers without an HTTP call of their own).
 *
 * <p>{@code execute}: runs a call's first attempt, starts backups on the {@link FanoutClock} after the
 * policy's delay (fixed, or the route's observed percentile), takes the first success and cancels the other
 * attempts. Within a client-wide {@link HedgeBudget}; never for a call the policy does not allow.
 *
 * <p>Result: the first attempt to succeed. Failure: an attempt's failure fails the call only when no other
 * attempt is still running (a backup may yet succeed); no backup is started after a failure (retries are
 * the retry policy's job). Cancel: cancelling the returned future cancels every running attempt and the
 * pending backup timer. Thread-safe; no lock is held while attempts are started, cancelled or completed.
 */
public final class Hedger {
  private final HedgePolicy policy;
  private final FanoutClock clock;
  private final HedgeBudget budget;
  /**
   * The most routes whose latencies a client keeps; past it the least recently used route is dropped (its
   * next call starts it afresh, as on a cold client).
   */
  public static final int MAX_ROUTES = 512;

  /** Routes by key, least recently used first. Guarded by itself. */
  private final LinkedHashMap<String, Route> routes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Route> eldest) {
      return size() > MAX_ROUTES;
    }
  };
  private final LongAdder calls = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder won = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final LongAdder cancelled = new LongAdder();

  private Hedger(HedgePolicy policy, FanoutClock clock) {
    this.policy = policy;
    this.clock = clock;
    this.budget = new HedgeBudget(policy.budget(), 10);
  }

  public static Hedger create(HedgePolicy policy, FanoutClock clock) {
    return new Hedger(Objects.requireNonNull(policy, "policy == null"), Objects.requireNonNull(clock, "clock == null"));
  }

  /** Starts and cancels the attempts of one call; supplied by the call path. */
  public interface Attempts<T> {
    /** Starts attempt {@code n} (0 is the first, 1.. are backups) and returns its result. */
    CompletableFuture<T> start(int n);

    /**
     * Cancels attempt {@code n}, which lost or whose call was cancelled; the call path cancels its
     * {@code okhttp3.Call} here so the loser is cancelled at the socket. Defaults to cancelling the future.
     */
    default void cancel(int n, CompletableFuture<T> attempt) {
      attempt.cancel(true);
    }
  }

  /**
   * Runs a call to {@code route}, hedged if the policy allows {@code method} (or the caller marked the
   * call idempotent).
   */
  public <T> CompletableFuture<T> execute(String route, String method, boolean markedIdempotent, Attempts<T> attempts) {
    calls.increment();
    budget.onCall();
    LatencyTracker tracker = route(route).tracker;
    Duration delay = policy.allows(method, markedIdempotent) ? delay(policy, tracker) : null;
    Call<T> call = new Call<>(attempts, tracker, delay, tracker.nextSequence());
    call.result.whenComplete((v, t) -> budget.onCallEnded());
    call.begin();
    return call.result;
  }

  private Route route(String route) {
    synchronized (routes) {
      return routes.computeIfAbsent(route, r -> new Route());
    }
  }

  /** Returns how many routes' latencies are kept. */
  int routeCount() {
    synchronized (routes) {
      return routes.size();
    }
  }

  /**
   * The delay of an auto policy whose route's percentile falls on a request whose latency is unknown (a
   * backup won it): more than 5% of the route's requests are slower than anything measured, so no backup
   * now. Compared by identity.
   */
  static final Duration NOT_NOW = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * Returns the delay before a backup on this route now: fixed, or its percentile once it has enough samples
   * ({@link #NOT_NOW} if that percentile is unknown); null if it has too few.
   */
  static Duration delay(HedgePolicy policy, LatencyTracker tracker) {
    if (!policy.isAuto()) {
      return policy.delay();
    }
    if (tracker.size() < policy.minSamples()) {
      return null;
    }
    long p = tracker.percentile(policy.percentile());
    return p == LatencyTracker.UNKNOWN_BUT_LONGER ? NOT_NOW : Duration.ofNanos(p);
  }

  /** Returns the delay an auto policy would use on {@code route} now, or null if it would not hedge yet. */
  public Duration currentDelay(String route) {
    Route r;
    synchronized (routes) {
      r = routes.get(route);
    }
    return r == null ? (policy.isAuto() ? null : policy.delay()) : delay(policy, r.tracker);
  }

  /** Returns this client's policy (a call's {@code CallOptions.hedging} may replace it for that call). */
  public HedgePolicy policy() {
    return policy;
  }

  /**
   * Opens the hedging of one attempt of a call to {@code route} under {@code callPolicy} (the client's, or
   * the call's own): {@code due.test(n)} is called when backup {@code n} (from 1) is due, on a clock thread
   * or on the thread that finished another call of the route; it returns true if it sent the backup
   * (having taken it from the budget with {@link #tryBackup()}), which arms the next one up to
   * {@code maxBackups}. Returns {@link Ticket#NONE} if the policy does not allow {@code method} (or the
   * caller's mark). The caller must {@link Ticket#close} the ticket exactly once, when the attempt is over.
   *
   * <p>When a backup is due: a fixed policy after its delay; an auto policy after the route's observed
   * percentile once it has {@code minSamples} latencies. Before that (a cold client), an attempt joins the
   * route's cold cohort: once {@code minSamples} of the cohort have finished and they are at least the
   * percentile's share of the cohort (95% of the attempts started cold have finished), the rest are the
   * cohort's slowest 5% and a backup is due for each at once. So a first fan-out of 200 hedges its
   * stragglers too, without guessing a delay from the earliest answers (which would be biased low).
   */
  public Ticket open(String route, String method, boolean markedIdempotent, HedgePolicy callPolicy, IntPredicate due) {
    return open(route, method, markedIdempotent, callPolicy, 1, due);
  }

  /**
   * As {@link #open(String, String, boolean, HedgePolicy, IntPredicate)}, for attempt {@code attempt} (from
   * 1) of its call. Only a call's first attempt adds to the budget: the budget is a share of calls, so a
   * call retried three times earns no more backups than one answered at once.
   */
  public Ticket open(String route, String method, boolean markedIdempotent, HedgePolicy callPolicy, int attempt,
      IntPredicate due) {
    Objects.requireNonNull(due, "due == null");
    if (!callPolicy.allows(method, markedIdempotent)) {
      return Ticket.NONE;
    }
    boolean first = attempt <= 1;
    if (first) {
      calls.increment();
      budget.onCall();
    }
    Route r = route(route);
    Ticket t = new Ticket(this, r, callPolicy, due, clock.nanoTime(), r.tracker.nextSequence(), first);
    // While a cold cohort runs, later attempts join it: the route's first samples are its fastest answers,
    // a percentile of them is biased low.
    Duration delay = callPolicy.isAuto() && r.coldActive() ? null : delay(callPolicy, r.tracker);
    if (delay == null) {
      r.joinCold(t);
    } else if (delay != NOT_NOW) {
      t.arm(delay);
    }
    return t;
  }

  /** Takes one backup from the client-wide budget; counts it sent, or denied when the budget is empty. */
  public boolean tryBackup() {
    if (budget.tryTake()) {
      sent.increment();
      return true;
    }
    denied.increment();
    return false;
  }

  /** A backup's response came first: counted as won. */
  public void won() {
    won.increment();
  }

  /** An attempt was cancelled because another one won: counted. */
  public void loserCancelled() {
    cancelled.increment();
  }

  /** One route's latencies, and its cold cohort (attempts opened before it had enough samples). */
  private static final class Route {
    final LatencyTracker tracker = new LatencyTracker(LatencyTracker.DEFAULT_CAPACITY);
    // Guarded by this.
    private final Set<Ticket> coldWaiting = new LinkedHashSet<>();
    private long coldStarted;
    private long coldFinished;

    /** True while attempts of the cold cohort are still running. */
    synchronized boolean coldActive() {
      return coldStarted > coldFinished;
    }

    synchronized void joinCold(Ticket t) {
      t.cold = true;
      coldStarted++;
      coldWaiting.add(t);
    }

    /**
     * A cold attempt ended; returns the cold attempts now due a backup: the cohort's slowest share, once
     * enough of it finished, less those younger than the percentile of the latencies seen so far (an attempt
     * started late in a staggered cohort is not slow, only young: it waits for the next check).
     */
    synchronized List<Ticket> leaveCold(Ticket t, HedgePolicy policy, long now) {
      coldWaiting.remove(t);
      coldFinished++;
      if (coldFinished == coldStarted) {
        coldStarted = 0; // the cohort is over: the next cold phase, if any, counts afresh
        coldFinished = 0;
      }
      if (coldWaiting.isEmpty() || coldFinished < policy.minSamples()
          || coldFinished < policy.percentile() * coldStarted) {
        return List.of();
      }
      long seen = tracker.size() == 0 ? 0 : tracker.percentile(policy.percentile());
      List<Ticket> due = new ArrayList<>();
      for (java.util.Iterator<Ticket> it = coldWaiting.iterator(); it.hasNext(); ) {
        Ticket w = it.next();
        if (now - w.openedNanos >= seen) {
          due.add(w);
          it.remove();
        }
      }
      return due;
    }
  }

  /**
   * The hedging of one attempt: its backup timer (on the client's clock) or its place in a cold cohort.
   * Thread-safe; {@code due} is never called under a lock, nor after {@link #close}.
   */
  public static final class Ticket {
    /** The ticket of an attempt that is not hedged. */
    public static final Ticket NONE = new Ticket(null, null, null, null, 0, 0, false);

    private final Hedger hedger;
    private final Route route;
    private final HedgePolicy policy;
    private final IntPredicate due;
    private final long openedNanos;
    private final long sequence;
    /** Whether this is its call's first attempt, the one that added to the budget. */
    private final boolean countsCall;
    volatile boolean cold;
    // Guarded by this.
    private boolean closed;
    private int backups;
    private FanoutClock.Timer timer;

    private Ticket(Hedger hedger, Route route, HedgePolicy policy, IntPredicate due, long openedNanos, long sequence,
        boolean countsCall) {
      this.countsCall = countsCall;
      this.hedger = hedger;
      this.route = route;
      this.policy = policy;
      this.due = due;
      this.openedNanos = openedNanos;
      this.sequence = sequence;
      this.closed = hedger == null;
    }

    private void arm(Duration delay) {
      synchronized (this) {
        if (closed) {
          return;
        }
        timer = hedger.clock.schedule(delay, this::fire);
      }
    }

    private void fire() {
      int n;
      synchronized (this) {
        timer = null;
        if (closed || backups >= policy.maxBackups()) {
          return;
        }
        n = ++backups;
      }
      if (!due.test(n) || n >= policy.maxBackups()) {
        return;
      }
      Duration next = delay(policy, route.tracker);
      if (next != null && next != NOT_NOW) {
        arm(next);
      }
    }

    /**
     * The attempt is over; {@code succeeded} (its first request's response won) records its latency since
     * the ticket opened as one sample of the route. Cancels the pending backup timer. Idempotent.
     */
    public void close(boolean succeeded) {
      close(succeeded, false);
    }

    /**
     * The attempt is over and a backup's response won: its first request's latency is unknown but longer
     * than its time so far, so it is recorded as the longest latency there is. (Recording the time so far
     * would ratchet the percentile up: each hedged call's sample, delay plus one answer, would become the
     * next delay.) Idempotent with {@link #close(boolean)}.
     */
    public void closeWonByBackup() {
      close(true, true);
    }

    private void close(boolean succeeded, boolean backupWon) {
      FanoutClock.Timer t;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        t = timer;
        timer = null;
      }
      if (t != null) {
        t.cancel();
      }
      if (countsCall) {
        hedger.budget.onCallEnded();
      }
      if (succeeded) {
        route.tracker.record(sequence,
            backupWon ? LatencyTracker.UNKNOWN_BUT_LONGER : hedger.clock.nanoTime() - openedNanos);
      }
      if (cold) {
        for (Ticket other : route.leaveCold(this, policy, hedger.clock.nanoTime())) {
          other.fire();
        }
      }
    }
  }

  public HedgeStats stats() {
    return new HedgeStats(calls.sum(), sent.sum(), won.sum(), denied.sum(), cancelled.sum());
  }

  private final class Call<T> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    final Attempts<T> attempts;
    final LatencyTracker tracker;
    final Duration delay;
    final List<CompletableFuture<T>> started = new ArrayList<>();
    final List<Long> startedAt = new ArrayList<>();
    boolean done;
    int winner = -1;
    int running;
    FanoutClock.Timer timer;
    final long sequence;

    Call(Attempts<T> attempts, LatencyTracker tracker, Duration delay, long sequence) {
      this.attempts = attempts;
      this.tracker = tracker;
      this.delay = delay;
      this.sequence = sequence;
    }

    void begin() {
      result.whenComplete((v, t) -> {
        if (result.isCancelled()) {
          cancelAll(-1);
        }
      });
      launch(0);
      synchronized (this) {
        if (!done && delay != null && delay != NOT_NOW && policy.maxBackups() > 0) {
          timer = clock.schedule(delay, this::hedge);
        }
      }
    }

    private void hedge() {
      int n;
      synchronized (this) {
        timer = null;
        if (done || started.size() > policy.maxBackups()) {
          return;
        }
        if (!budget.tryTake()) {
          denied.increment();
          return;
        }
        n = started.size();
      }
      sent.increment();
      launch(n);
      synchronized (this) {
        if (!done && started.size() <= policy.maxBackups()) {
          timer = clock.schedule(delay, this::hedge);
        }
      }
    }

    private void launch(int n) {
      CompletableFuture<T> f;
      synchronized (this) {
        if (done) {
          return;
        }
        running++;
        started.add(null);
        startedAt.add(clock.nanoTime());
      }
      try {
        f = attempts.start(n);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<T> attempt = f;
      boolean lateLoser;
      synchronized (this) {
        started.set(n, attempt);
        lateLoser = done && winner != n && !attempt.isDone();
      }
      if (lateLoser) {
        // Another attempt won (or the call was cancelled) while this one was being started.
        cancelled.increment();
        attempts.cancel(n, attempt);
        return;
      }
      attempt.whenComplete((v, t) -> finished(n, v, t));
    }

    private void finished(int n, T value, Throwable failure) {
      boolean win = false;
      boolean lose = false;
      synchronized (this) {
        if (done) {
          return;
        }
        running--;
        if (failure == null) {
          done = true;
          winner = n;
          win = true;
          // One sample per call, of the first attempt: its latency, or (a backup won) "longer than this",
          // recorded as the largest latency. So the route's percentile stays that of unhedged calls.
          tracker.record(sequence, n == 0 ? clock.nanoTime() - startedAt.get(0) : LatencyTracker.UNKNOWN_BUT_LONGER);
        } else if (running == 0) {
          done = true;
          lose = true;
        }
        if (done && timer != null) {
          timer.cancel();
          timer = null;
        }
      }
      if (win) {
        if (n > 0) {
          won.increment();
        }
        result.complete(value);
        cancelAll(n);
      } else if (lose) {
        result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      }
    }

    /** Cancels every attempt but {@code winner} and the pending backup timer. */
    private void cancelAll(int winner) {
      List<Integer> losers = new ArrayList<>();
      List<CompletableFuture<T>> futures = new ArrayList<>();
      synchronized (this) {
        done = true;
        if (timer != null) {
          timer.cancel();
          timer = null;
        }
        for (int i = 0; i < started.size(); i++) {
          CompletableFuture<T> f = started.get(i);
          if (i != winner && f != null && !f.isDone()) {
            losers.add(i);
            futures.add(f);
          }
        }
      }
      for (int i = 0; i < losers.size(); i++) {
        cancelled.increment();
        attempts.cancel(losers.get(i), futures.get(i));
      }
    }
  }
}
