package dev.fanout.internal.hedge;

import dev.fanout.FanoutClock;
import dev.fanout.HedgePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A client's hedging policy state: its {@link HedgeBudget} and each route's latencies and cold cohort. It
 * counts nothing: the hedges a call sends and wins are the call's events ({@code CallEvents}), which its
 * trace, the client's stats and its spans hear. The call path opens a {@link Ticket} per attempt ({@link #open}) and is told, on the
 * {@link FanoutClock}, when a backup is due (after the policy's delay: fixed, or the route's observed
 * percentile); the race between an attempt's requests is the call path's. Never hedges a call the policy does
 * not allow. Thread-safe; no lock is held while the call path is told a backup is due.
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

  private Hedger(HedgePolicy policy, FanoutClock clock) {
    this.policy = policy;
    this.clock = clock;
    this.budget = new HedgeBudget(policy.budget(), 10);
  }

  public static Hedger create(HedgePolicy policy, FanoutClock clock) {
    return new Hedger(Objects.requireNonNull(policy, "policy == null"), Objects.requireNonNull(clock, "clock == null"));
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
   * cohort's slowest 5% and a backup is due for each at once (for one younger than the percentile seen so
   * far, when it reaches that age). So a first fan-out of 200 hedges its
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

  /** Takes one backup from the client-wide budget; false if the budget is empty. */
  public boolean tryBackup() {
    return budget.tryTake();
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
     * A cold attempt ended; returns the cold attempts now due a backup, each with how long from now: the
     * cohort's slowest share, once enough of it finished. One at least as old as the percentile of the
     * latencies seen so far is due at once; one younger (started late in a staggered cohort: not slow, only
     * young) is due when it reaches that age, as a warm route's attempt would be, since no other attempt of
     * the cohort may end before it to check again.
     */
    synchronized Map<Ticket, Duration> leaveCold(Ticket t, HedgePolicy policy, long now) {
      coldWaiting.remove(t);
      coldFinished++;
      if (coldFinished == coldStarted) {
        coldStarted = 0; // the cohort is over: the next cold phase, if any, counts afresh
        coldFinished = 0;
      }
      if (coldWaiting.isEmpty() || coldFinished < policy.minSamples()
          || coldFinished < policy.percentile() * coldStarted) {
        return Map.of();
      }
      long seen = tracker.size() == 0 ? 0 : tracker.percentile(policy.percentile());
      Map<Ticket, Duration> due = new LinkedHashMap<>();
      for (java.util.Iterator<Ticket> it = coldWaiting.iterator(); it.hasNext(); ) {
        Ticket w = it.next();
        long age = now - w.openedNanos;
        if (age >= seen) {
          due.put(w, Duration.ZERO);
          it.remove();
        } else if (seen != LatencyTracker.UNKNOWN_BUT_LONGER) {
          due.put(w, Duration.ofNanos(seen - age));
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
        route.leaveCold(this, policy, hedger.clock.nanoTime()).forEach((other, in) -> {
          if (in.isZero()) {
            other.fire();
          } else {
            other.arm(in);
          }
        });
      }
    }
  }
}
