package dev.fanout.internal.governor;

import dev.fanout.FanoutClock;
import dev.fanout.GovernorPolicy;
import dev.fanout.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * A client's rate-limit governor: one admission {@link Bucket} per rate-limited bucket of a host, created on
 * first use, all on the client's {@link FanoutClock}.
 *
 * <h2>Every permit must be reported back.</h2>
 * The call path calls {@link #acquire} before each attempt (hedges and retries included) and, exactly once
 * per permit, {@link Permit#onResponse}, {@link Permit#onFailure} or {@link Permit#release}. A permit never
 * reported holds its bucket's slot for good.
 *
 * <p>Thread-safe. No lock is held while a future is completed.
 */
public final class Governor {
  /** A deadline that never passes, for {@link #acquire}. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;
  /**
   * The most buckets a governor keeps: past it, idle buckets (nothing in flight or waiting, no pause) are
   * dropped, least recently used first, down to three quarters of it. A dropped bucket's route starts
   * afresh on its next call, as on a client's first.
   */
  public static final int MAX_BUCKETS = 1024;

  private final GovernorPolicy policy;
  private final int maxInFlight;
  private final FanoutClock clock;
  private final DoubleSupplier random;
  private final Predicate<Duration> refusesRetryAfter;
  private final ConcurrentHashMap<GovernorKey, Bucket> buckets = new ConcurrentHashMap<>();
  private final Totals totals = new Totals();
  private volatile boolean closed;

  private Governor(GovernorPolicy policy, int maxInFlight, FanoutClock clock, DoubleSupplier random,
      Predicate<Duration> refusesRetryAfter) {
    this.policy = policy;
    this.maxInFlight = maxInFlight;
    this.clock = clock;
    this.random = random;
    this.refusesRetryAfter = refusesRetryAfter;
  }

  /**
   * Returns a governor for a client whose hard ceiling is {@code maxInFlight}; {@code random} (values in
   * [0, 1)) jitters the pauses.
   */
  public static Governor create(GovernorPolicy policy, int maxInFlight, FanoutClock clock, DoubleSupplier random) {
    return create(policy, maxInFlight, clock, random, RetryPolicy.defaults()::refusesRetryAfter);
  }

  /**
   * As {@link #create(GovernorPolicy, int, FanoutClock, DoubleSupplier)}, for a client whose retry policy
   * refuses the retry-afters {@code refusesRetryAfter} accepts: such a wait fails the call it came with, and
   * is not imposed on the bucket's other calls either (they pause as after a 429 that named no wait).
   */
  public static Governor create(GovernorPolicy policy, int maxInFlight, FanoutClock clock, DoubleSupplier random,
      Predicate<Duration> refusesRetryAfter) {
    Objects.requireNonNull(policy, "policy == null");
    Objects.requireNonNull(clock, "clock == null");
    Objects.requireNonNull(random, "random == null");
    Objects.requireNonNull(refusesRetryAfter, "refusesRetryAfter == null");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
    }
    return new Governor(policy, maxInFlight, clock, random, refusesRetryAfter);
  }

  /** Returns a governor whose pause jitter comes from a new {@link Random}. */
  public static Governor create(GovernorPolicy policy, int maxInFlight, FanoutClock clock) {
    return create(policy, maxInFlight, clock, RetryPolicy.defaults());
  }

  /**
   * Returns a governor whose pause jitter comes from a new {@link Random}, for a client whose retry-afters
   * {@code retryPolicy} refuses are not imposed on a bucket's other calls.
   */
  public static Governor create(GovernorPolicy policy, int maxInFlight, FanoutClock clock, RetryPolicy retryPolicy) {
    Objects.requireNonNull(retryPolicy, "retryPolicy == null");
    Predicate<Duration> refusesRetryAfter = retryPolicy::refusesRetryAfter;
    Random r = new Random();
    return create(policy, maxInFlight, clock, () -> {
      synchronized (r) {
        return r.nextDouble();
      }
    }, refusesRetryAfter);
  }

  /**
   * Returns a future that completes with a permit once {@code key}'s bucket admits a call of the given
   * estimated cost: at once when nothing limits it, later (on the clock, never blocking a thread) when a
   * 429 pause, the concurrency limit or a published limit makes it wait. The future fails with
   * {@link dev.fanout.errors.FanoutTimeoutException} at once when the wait is known to end past
   * {@code deadlineNanos} (a {@link FanoutClock#nanoTime()} value, or {@link #NO_DEADLINE}), else when the
   * deadline passes. Cancelling the future gives its place up. A disabled governor admits every call at once.
   */
  public CompletableFuture<Permit> acquire(GovernorKey key, TokenEstimate estimate, long deadlineNanos) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(estimate, "estimate == null");
    if (!policy.enabled()) {
      return CompletableFuture.completedFuture(Permit.unmetered());
    }
    while (true) {
      Bucket bucket = buckets.get(key); // the usual case, without computeIfAbsent's capturing lambda
      if (bucket == null) {
        bucket = buckets.computeIfAbsent(key, k -> new Bucket(k, clock, policy, maxInFlight, random, totals,
            refusesRetryAfter));
      }
      if (closed) {
        bucket.close(); // a bucket created while close() ran: closing it again is a no-op
      }
      if (buckets.size() > MAX_BUCKETS) {
        evictIdle();
      }
      CompletableFuture<Permit> admitted = bucket.acquire(estimate, deadlineNanos);
      if (admitted != null) {
        return admitted;
      }
      buckets.remove(key, bucket); // dropped as idle since it was looked up: take the new one
    }
  }

  /** Drops idle buckets, least recently admitted first, until three quarters of {@link #MAX_BUCKETS} are left. */
  private synchronized void evictIdle() {
    if (buckets.size() <= MAX_BUCKETS) {
      return;
    }
    List<Bucket> idle = new ArrayList<>();
    for (Bucket b : buckets.values()) {
      if (b.idle()) {
        idle.add(b);
      }
    }
    idle.sort(Comparator.comparingLong(Bucket::lastAdmitAt));
    int target = MAX_BUCKETS * 3 / 4;
    for (Bucket b : idle) {
      if (buckets.size() <= target) {
        break;
      }
      if (b.retireIfIdle()) {
        buckets.remove(b.key, b);
      }
    }
  }

  /** Returns {@link #acquire} for a call of {@code estimatedTokens} in all (0 for a call not metered in tokens). */
  public CompletableFuture<Permit> acquire(GovernorKey key, long estimatedTokens, long deadlineNanos) {
    return acquire(key, TokenEstimate.ofTotal(estimatedTokens), deadlineNanos);
  }

  /**
   * Estimates a chat call: prompt characters / 4 plus {@code maxTokens}, or the policy's
   * {@link GovernorPolicy#outputTokensWithoutMax()} when the call sets none ({@code maxTokens < 0}).
   */
  public TokenEstimate estimateChat(long promptChars, long maxTokens) {
    return TokenEstimate.chat(promptChars, maxTokens < 0 ? policy.outputTokensWithoutMax() : maxTokens);
  }

  /**
   * Closes the governor with its client: every call waiting for admission fails with
   * {@link dev.fanout.errors.FanoutCancelledException}, once, and every later {@link #acquire} fails at once.
   * Idempotent.
   */
  public void close() {
    closed = true;
    for (Bucket b : buckets.values()) {
      b.close();
    }
  }

  public GovernorPolicy policy() {
    return policy;
  }

  /** Returns a snapshot of the totals and of every bucket. */
  public GovernorStats stats() {
    List<BucketStats> list = new ArrayList<>();
    for (Bucket b : buckets.values()) {
      list.add(b.stats());
    }
    return new GovernorStats(totals.admitted.sum(), totals.rateLimited.sum(),
        Duration.ofNanos(totals.waitNanos.sum()), List.copyOf(list));
  }

  /** Returns a snapshot of one bucket, or null if no call went to it. */
  public BucketStats stats(GovernorKey key) {
    Bucket b = buckets.get(key);
    return b == null ? null : b.stats();
  }

  static final class Totals {
    final LongAdder admitted = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder waitNanos = new LongAdder();
  }
}
