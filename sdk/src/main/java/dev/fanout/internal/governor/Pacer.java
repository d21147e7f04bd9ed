package dev.fanout.internal.governor;

import dev.fanout.internal.governor.LimitObservation.Refill;

/**
 * The pacing state machine of one published limit (one dimension under one policy) of a bucket: a ledger
 * of what the server said was left, what has been admitted since, and the rate at which the rest may be
 * spent so that it lasts until the reset.
 *
 * <p>States: <b>unknown</b> (no observation with a remaining count yet: does not gate), <b>live</b> (gates
 * admissions), and back to unknown when its reset passes with nothing to roll over to. On each
 * observation the ledger restarts from the server's {@code remaining}, less what was admitted after the
 * observed call (the server had not seen those yet). Between observations it admits a call of cost
 * {@code c} at the first time when both hold:
 * <ul>
 *   <li><b>not overdrawn:</b> {@code spent + c <= budget + refillRate * elapsed} (a fixed window refills
 *       nothing until its reset, then the whole quota);
 *   <li><b>spread evenly:</b> at least {@code c' / (paceRate * share)} after the previous admission (of
 *       cost {@code c'}), where {@code paceRate} spends a fixed window's budget evenly over the time to
 *       its reset, and a replenishing limit's budget over at most a second on top of its refill, and {@code share} is the part of it this client takes
 *       (cut on 429s, so several processes sharing one key settle on their shares).
 * </ul>
 * Not thread-safe: its {@link Bucket} guards it.
 */
final class Pacer {
  /** The longest a replenishing limit's budget is spread over, beyond its refill. */
  static final long REPLENISHING_SPREAD = 1_000_000_000L;

  final LimitDimension dimension;
  final String policy;

  private Refill refill = Refill.REPLENISHING;
  private long limit = -1;
  private long windowNanos = -1;
  private boolean live;
  private long observedSeq = -1;
  private long observedAt;
  private double budget;
  private double spent;
  private long resetAt;
  private double refillPerNano;
  /** What the bucket holds when full, from the last observation with a reset time; -1 if not known. */
  private double capacity = -1;
  private double pacePerNano;
  private long nextAt = Long.MIN_VALUE;
  private long lastAdmitAt;
  private long lastCost;
  private boolean admittedOnce;

  Pacer(LimitDimension dimension, String policy) {
    this.dimension = dimension;
    this.policy = policy;
  }

  /**
   * Restarts the ledger from {@code o}, observed now on the response to the call admitted {@code seq}-th,
   * after which {@code admittedAfter} more was admitted. An observation older than the current one is
   * ignored (responses arrive out of order).
   */
  void observe(LimitObservation o, long now, double admittedAfter, long seq, double share) {
    observe(o, now, admittedAfter, seq, share, 0);
  }

  /**
   * As {@link #observe(LimitObservation, long, double, long, double)}, for a convention whose counters and
   * relative reset describe the quota when the server admitted the call, {@code sinceAdmission} ago (OpenAI
   * computes {@code x-ratelimit-*} as it starts the request, so a response that took a second says what was
   * left a second ago): a replenishing quota has refilled for that long since, up to its capacity (what
   * {@code remaining} and the time to full add up to), and its reset is that much nearer.
   */
  void observe(LimitObservation o, long now, double admittedAfter, long seq, double share, long sinceAdmission) {
    if (seq < observedSeq) {
      return;
    }
    refill = o.refill();
    o.limit().ifPresent(l -> limit = l);
    o.window().ifPresent(w -> windowNanos = w.toNanos());
    if (o.remaining().isEmpty()) {
      return; // a policy without live counters: its size and window are kept for the next rollover
    }
    observedSeq = seq;
    observedAt = now;
    budget = o.remaining().getAsLong() - admittedAfter;
    spent = 0;
    if (o.resetAtNanos().isPresent()) {
      resetAt = Math.max(now, o.resetAtNanos().getAsLong());
    } else if (windowNanos > 0) {
      resetAt = now + windowNanos;
    } else {
      resetAt = now + 1_000_000_000L;
    }
    refillPerNano = refill == Refill.REPLENISHING && limit > 0 && windowNanos > 0
        ? (double) limit / windowNanos : 0;
    if (sinceAdmission > 0 && refillPerNano > 0 && o.resetAtNanos().isPresent()) {
      long toFull = Math.max(0, o.resetAtNanos().getAsLong() - now);
      double capacity = o.remaining().getAsLong() + toFull * refillPerNano;
      double levelNow = Math.min(capacity, o.remaining().getAsLong() + sinceAdmission * refillPerNano);
      budget = Math.floor(levelNow) - admittedAfter;
      resetAt = Math.max(now, o.resetAtNanos().getAsLong() - sinceAdmission);
      this.capacity = capacity;
    } else if (refillPerNano > 0 && o.resetAtNanos().isPresent()) {
      capacity = o.remaining().getAsLong() + (resetAt - now) * refillPerNano;
      // remaining is whole units, rounded down; the time to full says what fraction is really there.
      double exact = limit - (resetAt - now) * refillPerNano - admittedAfter;
      budget = Math.max(budget, Math.min(exact, budget + 1));
    }
    // A fixed window's budget is lost at the reset: spread it up to then. A replenishing bucket keeps what
    // is not spent, so its budget is spread over at most a second on top of the refill: fast, not a burst.
    long left = refill == Refill.REPLENISHING ? Math.min(resetAt - now, REPLENISHING_SPREAD) : resetAt - now;
    double evenly = left <= 0 ? Double.POSITIVE_INFINITY : Math.max(0, budget) / left;
    pacePerNano = evenly + refillPerNano;
    live = true;
    // Keep the spacing since the last admission, at the new pace: a fresh observation is not a new burst.
    nextAt = admittedOnce && !Double.isInfinite(pacePerNano)
        ? lastAdmitAt + spacing(lastCost, share) : now;
  }

  /** Returns the first time, not before {@code now}, at which a call costing {@code cost} may be admitted. */
  long earliest(long cost, long now) {
    rollOver(now);
    if (!live || cost == 0) {
      return now;
    }
    if (limit > 0 && cost > limit) {
      cost = limit; // a call bigger than the whole quota: send it when the quota is full, let the server judge
    }
    long hard;
    double need = spent + cost - budget;
    if (need <= 0) {
      hard = now;
    } else if (refillPerNano > 0) {
      hard = observedAt + ceil(need / refillPerNano);
    } else {
      hard = resetAt; // nothing comes back before the reset
    }
    long paced = Double.isInfinite(pacePerNano) ? now : nextAt;
    return Math.max(now, Math.max(hard, paced));
  }

  /**
   * Charges an admission of {@code cost} now; the next admission is spaced {@code cost / (pace * share)}
   * later, where {@code share} (in (0, 1]) is the part of the published pace this client takes.
   */
  void spend(long cost, long now, double share) {
    if (!live) {
      return;
    }
    spent += cost;
    admittedOnce = true;
    lastAdmitAt = now;
    lastCost = cost;
    nextAt = Double.isInfinite(pacePerNano) ? now : Math.max(nextAt, now) + spacing(cost, share);
  }

  private long spacing(long cost, double share) {
    double pace = pacePerNano * share;
    return pace <= 0 ? Math.max(0, resetAt - lastAdmitAt) : ceil(cost / pace);
  }

  /** Gives back an over-estimate of a call admitted {@code seq}-th, if this ledger charged it. */
  void refund(long tokens, long seq) {
    correct(-tokens, seq);
  }

  /**
   * Corrects the charge of a call admitted {@code seq}-th by {@code delta} (negative: an over-estimate given
   * back; positive: an under-estimate charged), if this ledger charged it (an observation since then already
   * counts it as the server does).
   */
  void correct(long delta, long seq) {
    if (live && seq > observedSeq) {
      spent = Math.max(0, spent + delta);
    }
  }

  /** A fixed window past its reset starts a new window of the whole quota; a replenishing one is full. */
  private void rollOver(long now) {
    if (!live || now < resetAt) {
      return;
    }
    if (refill == Refill.FIXED_WINDOW && limit > 0 && windowNanos > 0) {
      long windows = (now - resetAt) / windowNanos;
      observedAt = resetAt + windows * windowNanos;
      resetAt = observedAt + windowNanos;
      budget = limit;
      spent = 0;
      pacePerNano = (double) limit / windowNanos;
      nextAt = Math.min(nextAt, observedAt);
    } else if (refill == Refill.REPLENISHING && limit > 0) {
      // The reset was the time to full as of the observation; what was spent since makes it later. The
      // ledger carries on from its level now (refilled since the observation, less what was spent), never
      // above what the bucket holds (remaining plus the time to full's refill, which may be far less than
      // the per-minute limit: OpenAI enforces a minute's limit over shorter windows).
      double cap = capacity > 0 ? Math.min(capacity, limit) : limit;
      double level = refillPerNano > 0 ? budget + refillPerNano * (now - observedAt) - spent : cap;
      observedAt = now;
      budget = Math.min(cap, level);
      spent = 0;
      long toFull = refillPerNano > 0 ? (long) Math.ceil(Math.max(0, cap - budget) / refillPerNano) : 0;
      resetAt = now + Math.max(toFull, 1_000_000L);
      pacePerNano = refillPerNano > 0
          ? Math.max(0, budget) / Math.min(resetAt - now, REPLENISHING_SPREAD) + refillPerNano
          : Double.POSITIVE_INFINITY;
    } else {
      live = false; // nothing known past the reset: stop gating until the next observation
    }
  }

  /** Stops gating until the next observation with a remaining count: what it believed was shown wrong. */
  void forget() {
    live = false;
  }

  boolean live() {
    return live;
  }

  long limit() {
    return limit;
  }

  /** The period the published limit counts over, in nanoseconds; -1 if not known. */
  long windowNanos() {
    return windowNanos;
  }

  /** The pace now allowed, in units per second (0 when not live). */
  double ratePerSecond() {
    return live ? pacePerNano * 1e9 : 0;
  }

  /** What the ledger says is left now (may be negative while the server catches up). */
  double remaining(long now) {
    if (!live) {
      return Double.NaN;
    }
    return budget + refillPerNano * Math.max(0, now - observedAt) - spent;
  }

  private static long ceil(double nanos) {
    return nanos >= Long.MAX_VALUE / 2.0 ? Long.MAX_VALUE / 2 : (long) Math.ceil(nanos);
  }
}
