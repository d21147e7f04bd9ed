package dev.fanout.internal.governor;

/**
 * The adaptive concurrency limit of a bucket (additive increase, multiplicative decrease, after Netflix
 * concurrency-limits' {@code AIMDLimit}, with TCP's slow start in front).
 *
 * <p>States: <b>slow start</b> (from the initial limit, +1 per success: doubles every round trip) until
 * the first drop; then <b>congestion avoidance</b> (+1/limit per success: +1 every round trip). A success
 * grows the limit only while latency holds (at most {@code tolerance} times the fastest success seen) and
 * the limit is in use (at least half of it in flight). A drop (a 429, or a 503) multiplies the limit by
 * {@code backoffRatio}, once per round trip: drops of calls admitted before the last cut do not cut again.
 * A drop that named its wait (a 429 with {@code retry-after}: "come back later", which the bucket's pause
 * answers) says nothing about concurrency: once a full round trip has succeeded after the cut (as many
 * successes of calls admitted after it as the limit), the limit goes back to what it was before the first
 * such cut, so a route whose burst of 429s has passed regains its concurrency in one round trip, not one
 * call per round trip. A drop that named no wait (a server that refuses what is too many at once) keeps
 * the cut. Always within [1, ceiling]. Not thread-safe: its {@link Bucket} guards it.
 */
final class AimdLimit {
  private final int ceiling;
  private final double backoffRatio;
  private final double tolerance;
  private double limit;
  private boolean slowStart = true;
  private long minLatency = Long.MAX_VALUE;
  private long lastCutSeq = -1;
  private int successesSinceCut;
  /** The limit before the first of a run of timed drops; NaN when the last drop named no wait, or none. */
  private double restoreTo = Double.NaN;

  AimdLimit(int initial, int ceiling, double backoffRatio, double tolerance) {
    this.ceiling = ceiling;
    this.backoffRatio = backoffRatio;
    this.tolerance = tolerance;
    this.limit = Math.min(initial, ceiling);
  }

  /** Restarts the limit at {@code n} (within [1, ceiling]): the concurrency a bucket had when first limited. */
  void startAt(int n) {
    limit = Math.max(1, Math.min(ceiling, n));
  }

  int current() {
    return (int) Math.max(1, Math.min(ceiling, Math.floor(limit)));
  }

  /** Grows the limit for a success of the call admitted {@code seq}-th, if latency holds and the limit is used. */
  void onSuccess(long latencyNanos, int inFlightBefore, long seq) {
    if (!Double.isNaN(restoreTo) && seq > lastCutSeq && ++successesSinceCut >= current()) {
      limit = Math.max(limit, restoreTo); // a clean round trip since the timed drops: they have passed
      restoreTo = Double.NaN;
    }
    if (latencyNanos > 0) {
      minLatency = Math.min(minLatency, latencyNanos);
    }
    if (minLatency != Long.MAX_VALUE && latencyNanos > tolerance * minLatency) {
      return;
    }
    if (inFlightBefore * 2 < current()) {
      return; // not using the limit: a success says nothing about a higher one
    }
    limit = Math.min(ceiling, limit + (slowStart ? 1.0 : 1.0 / limit));
  }

  /** Cuts the limit for a drop of the call admitted {@code seq}-th; returns false if already cut for it. */
  boolean onDrop(long seq, long lastAdmittedSeq) {
    return onDrop(seq, lastAdmittedSeq, false);
  }

  /**
   * As {@link #onDrop(long, long)}; {@code timed} when the drop named its wait (a retry-after), so that the
   * cut is undone after a clean round trip.
   */
  boolean onDrop(long seq, long lastAdmittedSeq, boolean timed) {
    if (!timed) {
      restoreTo = Double.NaN;
    } else if (Double.isNaN(restoreTo)) {
      restoreTo = limit;
    }
    if (seq <= lastCutSeq) {
      return false;
    }
    slowStart = false;
    limit = Math.max(1, limit * backoffRatio);
    lastCutSeq = lastAdmittedSeq;
    successesSinceCut = 0;
    return true;
  }

  boolean slowStart() {
    return slowStart;
  }
}
