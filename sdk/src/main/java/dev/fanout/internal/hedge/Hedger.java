package dev.fanout.internal.hedge;

import dev.fanout.FanoutClock;
import dev.fanout.HedgePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client's hedging: runs a call's first attempt, starts backups on the {@link FanoutClock} after the
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
  private final ConcurrentHashMap<String, LatencyTracker> routes = new ConcurrentHashMap<>();
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
    LatencyTracker tracker = routes.computeIfAbsent(route, r -> new LatencyTracker(LatencyTracker.DEFAULT_CAPACITY));
    Duration delay = policy.allows(method, markedIdempotent) ? delay(tracker) : null;
    Call<T> call = new Call<>(attempts, tracker, delay);
    call.begin();
    return call.result;
  }

  /** Returns the delay before a backup on this route now: fixed, or its percentile once it has enough samples. */
  Duration delay(LatencyTracker tracker) {
    if (!policy.isAuto()) {
      return policy.delay();
    }
    if (tracker.size() < policy.minSamples()) {
      return null;
    }
    return Duration.ofNanos(tracker.percentile(policy.percentile()));
  }

  /** Returns the delay an auto policy would use on {@code route} now, or null if it would not hedge yet. */
  public Duration currentDelay(String route) {
    LatencyTracker t = routes.get(route);
    return t == null ? (policy.isAuto() ? null : policy.delay()) : delay(t);
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

    Call(Attempts<T> attempts, LatencyTracker tracker, Duration delay) {
      this.attempts = attempts;
      this.tracker = tracker;
      this.delay = delay;
    }

    void begin() {
      result.whenComplete((v, t) -> {
        if (result.isCancelled()) {
          cancelAll(-1);
        }
      });
      launch(0);
      synchronized (this) {
        if (!done && delay != null && policy.maxBackups() > 0) {
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
          // One sample per call, of the first attempt: its latency, or (a backup won) its time so far,
          // a lower bound. So the route's percentile stays that of unhedged calls.
          tracker.record(clock.nanoTime() - startedAt.get(0));
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
