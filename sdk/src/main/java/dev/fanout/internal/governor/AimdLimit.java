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
 * Always within [1, ceiling]. Not thread-safe: its {@link Bucket} guards it.
 */
final class AimdLimit {
  private final int ceiling;
  private final double backoffRatio;
  private final double tolerance;
  private double limit;
  private boolean slowStart = true;
  private long minLatency = Long.MAX_VALUE;
  private long lastCutSeq = -1;

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

  void onSuccess(long latencyNanos, int inFlightBefore) {
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
    if (seq <= lastCutSeq) {
      return false;
    }
    slowStart = false;
    limit = Math.max(1, limit * backoffRatio);
    lastCutSeq = lastAdmittedSeq;
    return true;
  }

  boolean slowStart() {
    return slowStart;
  }
}
