package dev.fanout.mock.internal;

/** A token bucket: {@code ratePerSecond} tokens refill continuously up to {@code capacity}. */
final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  TokenBucket(double ratePerSecond, double capacity) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = System.nanoTime();
  }

  /**
   * Takes {@code cost} tokens (at most the capacity) and returns 0, or returns how many nanoseconds
   * until they would be available and takes nothing.
   */
  synchronized long tryAcquire(double cost) {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
    last = now;
    double need = Math.min(cost, capacity);
    if (tokens >= need) {
      tokens -= need;
      return 0;
    }
    return (long) Math.ceil((need - tokens) / ratePerNano);
  }
}
