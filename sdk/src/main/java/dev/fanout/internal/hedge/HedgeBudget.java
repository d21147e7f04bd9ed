package dev.fanout.internal.hedge;

/**
 * The client-wide allowance of backups, a token bucket like gRPC's retry throttling: each call adds
 * {@code ratio} of a token, each backup takes one. The bucket holds at most {@code maxTokens} plus
 * {@code ratio} of the calls open now, so a burst of N calls that all start at once may still send
 * {@code ratio * N} backups, while a long quiet history does not bank an unbounded burst. Over any stretch,
 * backups stay within {@code ratio} of calls plus that cap. Starts empty. Thread-safe.
 */
final class HedgeBudget {
  private static final long SCALE = 1000;
  private final long perCall;
  private final long max;
  private long tokens;
  private long open;

  HedgeBudget(double ratio, int maxTokens) {
    this.perCall = Math.round(ratio * SCALE);
    this.max = maxTokens * SCALE;
  }

  /** A call started: adds its share of a token. */
  synchronized void onCall() {
    open++;
    tokens = Math.min(max + perCall * open, tokens + perCall);
  }

  /** A call ended (counted out of the open calls that raise the cap). */
  synchronized void onCallEnded() {
    open = Math.max(0, open - 1);
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
