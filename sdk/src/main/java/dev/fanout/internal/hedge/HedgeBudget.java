package dev.fanout.internal.hedge;

/**
 * The client-wide allowance of backups, a token bucket like gRPC's retry throttling: each call adds
 * {@code ratio} of a token, each backup takes one, and the bucket holds at most {@code max} tokens, so over
 * any stretch backups stay within {@code ratio} of calls plus {@code max}. Starts empty. Thread-safe.
 */
final class HedgeBudget {
  private static final long SCALE = 1000;
  private final long perCall;
  private final long max;
  private long tokens;

  HedgeBudget(double ratio, int maxTokens) {
    this.perCall = Math.round(ratio * SCALE);
    this.max = maxTokens * SCALE;
  }

  synchronized void onCall() {
    tokens = Math.min(max, tokens + perCall);
  }

  /** Takes one token if there is one. */
  synchronized boolean tryTake() {
    if (tokens >= SCALE) {
      tokens -= SCALE;
      return true;
    }
    return false;
  }
}
