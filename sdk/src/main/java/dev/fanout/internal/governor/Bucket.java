package dev.fanout.internal.governor;

import dev.fanout.FanoutClock;
import dev.fanout.GovernorPolicy;
import dev.fanout.common.Durations;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import okhttp3.Headers;

/**
 * The admission state machine of one rate-limited bucket: a FIFO of waiting calls, the {@link Pacer}s of
 * the limits the server published, the {@link AimdLimit} on concurrency, and the pause a 429 imposes.
 *
 * <p>A waiting call is admitted when, in this order, the bucket is not paused, fewer calls are in flight
 * than the concurrency limit, and every pacer admits its cost now. Otherwise the head of the queue waits:
 * for a release (concurrency), or for a timer on the clock at the time the pause ends or the pacers allow
 * it. A call whose admission time is known to fall past its deadline fails at once; one behind the head
 * fails at its deadline. All state changes under this object's lock; futures are completed after it is
 * released.
 */
final class Bucket {
  private static final LimitDimension[] DIMENSIONS = LimitDimension.values();

  final GovernorKey key;
  private final FanoutClock clock;
  private final GovernorPolicy policy;
  private final DoubleSupplier random;
  private final Predicate<Duration> refusesRetryAfter;
  private final Governor.Totals totals;
  private final AimdLimit limit;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private final Map<String, Pacer> pacers = new LinkedHashMap<>();
  private final long[] admittedCost = new long[DIMENSIONS.length];

  /** The least share of a published pace a client takes after repeated 429s. */
  private static final double MIN_SHARE = 1.0 / 64;
  /** What each success gives back of the share, so a cut share recovers within a hundred or so calls. */
  private static final double SHARE_INCREASE = 0.005;

  private long seq;
  /** The part of the published pace this client takes: 1, cut by the backoff ratio on a 429. */
  private double share = 1.0;
  /** The last call admitted when the share was last cut. */
  private long lastCutSeq = -1;
  private int inFlight;
  private boolean paused;
  private long pausedUntil;
  /** When the last call was admitted (a probe is due a probe interval after it). */
  private long lastAdmitAt;
  /** The last call admitted as a probe against what the pacers believed; -1 before any. */
  private long probeSeq = -1;
  private FanoutClock.Timer wakeTimer;
  private long wakeAt;
  private long rateLimited;
  private long totalWait;
  private long maxWait;
  /**
   * Until the first response the bucket probes at the AIMD limit; a response with no published limits
   * opens it (only maxInFlight caps it) until a 429 or 503, which starts AIMD from the concurrency then.
   */
  private boolean capped = true;
  private boolean probing;
  private final int ceiling;
  /** Set by {@link #close()}: every waiter has failed and every later acquire fails at once. */
  private boolean closed;
  /** Set by {@link #retireIfIdle()}: dropped from its governor, it admits nothing ({@link #acquire} returns null). */
  private boolean retired;

  Bucket(GovernorKey key, FanoutClock clock, GovernorPolicy policy, int maxInFlight, DoubleSupplier random,
      Governor.Totals totals, Predicate<Duration> refusesRetryAfter) {
    this.refusesRetryAfter = refusesRetryAfter;
    this.key = key;
    this.clock = clock;
    this.policy = policy;
    this.random = random;
    this.totals = totals;
    this.limit = new AimdLimit(policy.initialConcurrency(), maxInFlight, policy.backoffRatio(),
        policy.latencyTolerance());
    this.probing = !policy.capBeforeFirstLimit();
    if (probing && !key.coldProbe()) {
      // not a model API: open from the first call, as after a first response that published no limits
      this.probing = false;
      this.capped = false;
    }
    this.ceiling = maxInFlight;
    this.lastAdmitAt = clock.nanoTime();
  }

  /**
   * Returns a future permit (see {@link Governor#acquire}), or null if this bucket was retired as idle: the
   * caller then asks its governor for the key's new bucket.
   */
  CompletableFuture<Permit> acquire(TokenEstimate estimate, long deadline) {
    CompletableFuture<Permit> future = new CompletableFuture<>();
    Waiter w = new Waiter(estimate, deadline, future);
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      if (retired) {
        return null;
      }
      long now = clock.nanoTime();
      w.enqueuedAt = now;
      if (admitsAtOnce(now, deadline)) {
        // What drain would do for a lone waiter in an open, unpaced bucket, without queueing it. Nobody
        // holds this future yet, so completing it under the lock runs no one's code.
        w.settled = true;
        future.complete(admit(w, now));
        return future;
      }
      if (closed) {
        actions.add(() -> future.completeExceptionally(clientClosed(null)));
      } else if (deadline != Governor.NO_DEADLINE && deadline - now <= 0) {
        actions.add(() -> future.completeExceptionally(pastDeadline(0, deadline - now)));
      } else if (pausedAt(now) && past(pausedUntil, deadline)) {
        actions.add(() -> future.completeExceptionally(pastDeadline(pausedUntil - now, deadline - now)));
      } else {
        queue.addLast(w);
        try {
          drain(now, actions);
          if (!w.settled && deadline != Governor.NO_DEADLINE) {
            // Only a call that really waits gets a deadline timer (one admitted at once needs none).
            w.deadlineTimer = clock.schedule(Duration.ofNanos(deadline - now), () -> expire(w));
          }
        } catch (RejectedExecutionException closed) {
          failAll(closed, actions);
        }
      }
    }
    run(actions);
    if (!future.isDone()) {
      // Only a waiter can be cancelled out of the queue; one settled above is no longer in it.
      future.whenComplete((p, t) -> {
        if (t != null) {
          cancelled(w);
        }
      });
    }
    return future;
  }

  void onResponse(Permit p, int status, Headers headers, OptionalLong actualTokens) {
    RateLimitSignal signal = RateLimitHeaders.parse(headers, clock);
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      long now = clock.nanoTime();
      int before = inFlight;
      inFlight--;
      for (LimitObservation seen : signal.observations()) {
        LimitObservation o = resetAtMost(seen, now + nanos(policy.maxPause()));
        int d = o.dimension().ordinal();
        Pacer pacer = pacers.computeIfAbsent(o.dimension() + "/" + o.policy(),
            k -> new Pacer(o.dimension(), o.policy()));
        // OpenAI's counters are as of the server's admission of the call, about when it was sent.
        long sinceAdmission = o.policy().equals("openai") ? Math.max(0, now - p.admittedAt) : 0;
        pacer.observe(o, now, admittedCost[d] - p.admittedBefore[d] - o.dimension().cost(p.estimate), p.seq,
            share, sinceAdmission);
      }
      if (p.seq == probeSeq && status < 400) {
        // The probe was answered: what the pacers believed was wrong. A limit this answer publishes was
        // observed afresh above; one it does not is forgotten until published again.
        for (Map.Entry<String, Pacer> e : pacers.entrySet()) {
          if (!observed(signal, e.getValue())) {
            e.getValue().forget();
          }
        }
      }
      if (actualTokens.isPresent() && actualTokens.getAsLong() < p.estimate.total()) {
        long over = p.estimate.total() - actualTokens.getAsLong();
        for (Pacer pacer : pacers.values()) {
          if (pacer.dimension == LimitDimension.TOKENS) {
            pacer.refund(over, p.seq);
          }
        }
      }
      // A 503 or Anthropic's 529 says "overloaded" only when it names a wait (retry-after): then it pauses
      // and cuts like a 429. Without one it is an ordinary server error, retried by the retry policy; a run
      // of them (a bad deploy, a failing backend) says nothing about how fast this bucket may go.
      boolean overloaded = (status == 503 || status == 529) && signal.retryAfter().isPresent();
      boolean dropped = status == 429 || overloaded;
      // A bucket whose server publishes limits is paced to them, not capped in concurrency: its 429s mean
      // "too fast", which the pace answers (the share is cut), not "too many at once". Without published
      // limits the bucket probes until its first response, then runs open until a 429 or an overload
      // starts AIMD from the concurrency it had then.
      boolean paced = false;
      for (Pacer pacer : pacers.values()) {
        paced |= pacer.live();
      }
      if (paced) {
        probing = false;
        capped = false;
      } else if (probing) {
        probing = false;
        capped = dropped;
      } else if (!capped && dropped) {
        capped = true;
        limit.startAt(Math.max(before, policy.initialConcurrency()));
      }
      if (dropped) {
        if (status == 429) {
          rateLimited++;
          totals.rateLimited.increment();
        }
        // Once per round trip: drops of calls admitted before the last cut do not cut again.
        if (p.seq > lastCutSeq) {
          lastCutSeq = seq;
          share = Math.max(MIN_SHARE, share * policy.backoffRatio());
        }
        if (!paced) {
          limit.onDrop(p.seq, seq, signal.retryAfter().isPresent());
        }
        pause(now, signal);
      } else if (status < 500) {
        limit.onSuccess(now - p.admittedAt, before, p.seq);
        share = Math.min(1.0, share + SHARE_INCREASE);
      }
      drainSafely(now, actions);
    }
    run(actions);
  }

  /**
   * Corrects the token charge of a call admitted as {@code p} to the {@code actualTokens} its response
   * reported: an over-estimate is given back to the token ledgers, an under-estimate charged on top. A
   * ledger restarted from an observation that already counted the call is left alone.
   */
  void correct(Permit p, long actualTokens) {
    long delta = actualTokens - p.estimate.total();
    if (delta == 0) {
      return;
    }
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      for (Pacer pacer : pacers.values()) {
        if (pacer.dimension == LimitDimension.TOKENS) {
          pacer.correct(delta, p.seq);
        }
      }
      if (delta < 0) {
        drainSafely(clock.nanoTime(), actions); // a refund may admit the head now
      }
    }
    run(actions);
  }

  /**
   * Corrects the token charge of a call admitted as {@code p} to {@code actual}, per ledger: each token
   * dimension (total, input, output) by the difference between what it charged and what it counts of the
   * actual usage. A ledger restarted from an observation that already counted the call is left alone.
   */
  void correct(Permit p, TokenEstimate actual) {
    boolean refund = false;
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      for (Pacer pacer : pacers.values()) {
        if (pacer.dimension == LimitDimension.REQUESTS) {
          continue;
        }
        long delta = pacer.dimension.cost(actual) - pacer.dimension.cost(p.estimate);
        if (delta != 0) {
          pacer.correct(delta, p.seq);
          refund |= delta < 0;
        }
      }
      if (refund) {
        drainSafely(clock.nanoTime(), actions); // a refund may admit the head now
      }
    }
    run(actions);
  }

  /**
   * Closes the bucket with its client: every waiting call fails with {@link FanoutCancelledException}
   * ("client closed"), once, and every later {@link #acquire} fails at once. Permits in flight still report
   * back (their slots are given back; nothing is admitted any more).
   */
  void close() {
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (wakeTimer != null) {
        wakeTimer.cancel();
        wakeTimer = null;
      }
      failAll(null, actions);
    }
    run(actions);
  }

  void release(Permit p) {
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      inFlight--;
      drainSafely(clock.nanoTime(), actions);
    }
    run(actions);
  }

  private static boolean observed(RateLimitSignal signal, Pacer pacer) {
    for (LimitObservation o : signal.observations()) {
      if (o.dimension() == pacer.dimension && o.policy().equals(pacer.policy) && o.remaining().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns {@code o} with its reset no later than {@code latest}: a wait derived from a header is bounded
   * the way a 429's pause is, so a reset years away (a typo, a lie) holds the bucket at most that long.
   */
  private static LimitObservation resetAtMost(LimitObservation o, long latest) {
    if (o.resetAtNanos().isEmpty() || o.resetAtNanos().getAsLong() - latest <= 0) {
      return o;
    }
    return new LimitObservation(o.dimension(), o.policy(), o.refill(), o.limit(), o.remaining(),
        OptionalLong.of(latest), o.window());
  }

  /**
   * Pauses the bucket until the server's retry-after, else the latest reset of an exhausted limit, jittered.
   * A retry-after the client's retry policy refuses is refused for every call: the call it came with fails
   * at once, and the others pause as after a 429 that named no wait. Any other wait is cut to
   * {@link GovernorPolicy#maxPause()}.
   */
  private void pause(long now, RateLimitSignal signal) {
    long wait;
    if (signal.retryAfter().isPresent()) {
      wait = refusesRetryAfter.test(signal.retryAfter().get())
          ? nanos(policy.pauseWithoutRetryAfter())
          : nanos(signal.retryAfter().get());
    } else {
      long latestReset = Long.MIN_VALUE;
      for (LimitObservation o : signal.observations()) {
        if (o.remaining().isPresent() && o.remaining().getAsLong() == 0 && o.resetAtNanos().isPresent()) {
          latestReset = Math.max(latestReset, o.resetAtNanos().getAsLong());
        }
      }
      wait = latestReset == Long.MIN_VALUE ? nanos(policy.pauseWithoutRetryAfter()) : Math.max(0, latestReset - now);
    }
    wait = Math.min(wait, nanos(policy.maxPause()));
    wait += (long) (wait * policy.pauseJitter() * random.getAsDouble());
    long until = now + wait;
    if (!paused || until - pausedUntil > 0) {
      pausedUntil = until;
      paused = true;
    }
  }

  private boolean pausedAt(long now) {
    if (paused && pausedUntil - now <= 0) {
      paused = false;
    }
    return paused;
  }

  /**
   * True if a call asking now is admitted at once, as {@link #drain} would admit it: nobody waits before it,
   * the bucket is open, unpaused, below its concurrency and has no pacer to consult. Called under the lock.
   */
  private boolean admitsAtOnce(long now, long deadline) {
    return !closed && queue.isEmpty() && pacers.isEmpty() && !pausedAt(now)
        && (deadline == Governor.NO_DEADLINE || deadline - now > 0)
        && inFlight < (capped ? limit.current() : ceiling);
  }

  /** True if {@code t} falls after {@code deadline} (never for {@link Governor#NO_DEADLINE}). */
  private static boolean past(long t, long deadline) {
    return deadline != Governor.NO_DEADLINE && t - deadline > 0;
  }

  /** Admits what can be admitted now; schedules the wake-up for what must wait. Called under the lock. */
  private void drain(long now, List<Runnable> actions) {
    if (closed) {
      return;
    }
    if (pausedAt(now)) {
      for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (past(pausedUntil, w.deadline)) {
          it.remove();
          w.settled = true;
          fail(w, pausedUntil - now, w.deadline - now, actions);
        }
      }
      if (!queue.isEmpty()) {
        wakeAt(pausedUntil, now);
      }
      return;
    }
    while (!queue.isEmpty()) {
      Waiter w = queue.peekFirst();
      if (w.future.isDone()) {
        queue.pollFirst();
        cancelTimer(w);
        continue;
      }
      if (inFlight >= (capped ? limit.current() : ceiling)) {
        return; // a release drains again
      }
      long at = now;
      for (Pacer pacer : pacers.values()) {
        at = Math.max(at, pacer.earliest(pacer.dimension.cost(w.estimate), now));
      }
      // While calls wait, the bucket is silent at most a probe interval: a call then checks what the pacers
      // believe (its answer's headers replace it), so a wrong reset cannot hold the bucket shut.
      long probeAt = Math.max(now, lastAdmitAt + nanos(policy.probeInterval()));
      boolean probe = false;
      if (at > probeAt) {
        at = probeAt;
        probe = at == now;
      }
      if (at > now) {
        if (past(at, w.deadline)) {
          queue.pollFirst();
          w.settled = true;
          fail(w, at - now, w.deadline - now, actions);
          continue;
        }
        wakeAt(at, now);
        return;
      }
      queue.pollFirst();
      w.settled = true;
      cancelTimer(w);
      Permit p = admit(w, now);
      if (probe) {
        probeSeq = p.seq;
      }
      actions.add(() -> {
        if (!w.future.complete(p)) {
          p.release(); // the caller gave up while it was being admitted
        }
      });
    }
  }

  private Permit admit(Waiter w, long now) {
    long[] before = admittedCost.clone();
    for (LimitDimension d : DIMENSIONS) {
      admittedCost[d.ordinal()] += d.cost(w.estimate);
    }
    for (Pacer pacer : pacers.values()) {
      pacer.spend(pacer.dimension.cost(w.estimate), now, share);
    }
    seq++;
    inFlight++;
    lastAdmitAt = now;
    long waited = now - w.enqueuedAt;
    totalWait += waited;
    maxWait = Math.max(maxWait, waited);
    totals.admitted.increment();
    totals.waitNanos.add(waited);
    return new Permit(this, seq, before, w.estimate, now, waited);
  }

  /** The clock refuses timers (its client was closed): every waiting call fails, none waits forever. */
  private void failAll(RejectedExecutionException refused, List<Runnable> actions) {
    for (Waiter w : queue) {
      cancelTimer(w);
      FanoutCancelledException e = clientClosed(refused);
      actions.add(() -> w.future.completeExceptionally(e));
    }
    queue.clear();
  }

  private FanoutCancelledException clientClosed(RejectedExecutionException refused) {
    return new FanoutCancelledException("rate-limit governor: client closed while the call waited for admission "
        + "to " + key, refused);
  }

  /** Drains, failing every waiter if the clock refuses the wake-up timer. */
  private void drainSafely(long now, List<Runnable> actions) {
    try {
      drain(now, actions);
    } catch (RejectedExecutionException closed) {
      failAll(closed, actions);
    }
  }

  private void wakeAt(long at, long now) {
    if (wakeTimer != null && wakeAt - at <= 0) {
      return;
    }
    if (wakeTimer != null) {
      wakeTimer.cancel();
    }
    wakeAt = at;
    wakeTimer = clock.schedule(Duration.ofNanos(at - now), this::wake);
  }

  private void wake() {
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      wakeTimer = null;
      drainSafely(clock.nanoTime(), actions);
    }
    run(actions);
  }

  private void expire(Waiter w) {
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      long now = clock.nanoTime();
      if (queue.remove(w)) {
        fail(w, -1, w.deadline - now, actions);
        drainSafely(now, actions);
      }
    }
    run(actions);
  }

  private void cancelled(Waiter w) {
    List<Runnable> actions = new ArrayList<>();
    synchronized (this) {
      if (queue.remove(w)) {
        cancelTimer(w);
        drainSafely(clock.nanoTime(), actions);
      }
    }
    run(actions);
  }

  private void fail(Waiter w, long wouldWait, long left, List<Runnable> actions) {
    cancelTimer(w);
    FanoutTimeoutException e = pastDeadline(wouldWait, left);
    actions.add(() -> w.future.completeExceptionally(e));
  }

  private FanoutTimeoutException pastDeadline(long wouldWait, long left) {
    String wait = wouldWait < 0 ? "still waiting" : "would wait " + Durations.format(Duration.ofNanos(wouldWait));
    return new FanoutTimeoutException("rate-limit governor: admission to " + key + " " + wait
        + ", past the call's deadline (" + Durations.format(Duration.ofNanos(Math.max(0, left))) + " left)",
        Duration.ofNanos(Math.max(0, left)));
  }

  private static void cancelTimer(Waiter w) {
    if (w.deadlineTimer != null) {
      w.deadlineTimer.cancel();
      w.deadlineTimer = null;
    }
  }

  private static void run(List<Runnable> actions) {
    for (Runnable r : actions) {
      r.run();
    }
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE / 4;
    }
  }

  /** True if nothing is in flight or waiting and no pause holds the bucket: dropping it loses no call. */
  synchronized boolean idle() {
    return inFlight <= 0 && queue.isEmpty() && !pausedAt(clock.nanoTime());
  }

  /** Retires the bucket if it is {@link #idle()}; returns whether it did. */
  synchronized boolean retireIfIdle() {
    if (!retired && idle()) {
      retired = true;
    }
    return retired;
  }

  synchronized long lastAdmitAt() {
    return lastAdmitAt;
  }

  synchronized BucketStats stats() {
    long now = clock.nanoTime();
    List<BucketStats.LimitStats> limits = new ArrayList<>();
    for (Pacer p : pacers.values()) {
      if (p.live()) {
        limits.add(new BucketStats.LimitStats(p.dimension, p.policy, p.limit(), p.windowNanos(), p.remaining(now),
            p.ratePerSecond()));
      }
    }
    long pausedFor = pausedAt(now) ? pausedUntil - now : 0;
    return new BucketStats(key, limit.current(), inFlight, queue.size(), seq, rateLimited,
        Duration.ofNanos(totalWait), Duration.ofNanos(maxWait), Duration.ofNanos(pausedFor), List.copyOf(limits),
        capped);
  }

  private static final class Waiter {
    final TokenEstimate estimate;
    final long deadline;
    final CompletableFuture<Permit> future;
    long enqueuedAt;
    FanoutClock.Timer deadlineTimer;
    /** Admitted or failed by {@link #drain} (under the bucket's lock). */
    boolean settled;

    Waiter(TokenEstimate estimate, long deadline, CompletableFuture<Permit> future) {
      this.estimate = estimate;
      this.deadline = deadline;
      this.future = future;
    }
  }
}
