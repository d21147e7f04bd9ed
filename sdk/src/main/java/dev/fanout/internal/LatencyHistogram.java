package dev.fanout.internal;

import java.time.Duration;

/**
 * A streaming histogram of durations in fixed log-linear buckets: memory is constant (3,712 counters)
 * whatever the number of values, and a percentile read from it is within 1/128 (0.8%) of the true value.
 *
 * <p>Values below 64 ns each have their own bucket. Above, every power of two {@code [2^k, 2^(k+1))} is cut
 * into 64 equal sub-buckets (the layout of HdrHistogram with two significant binary digits more than
 * needed for a p99); a percentile reports the middle of its bucket, clamped to the recorded min and max.
 * Not thread-safe: the owner records and copies under its own lock.
 */
public final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS; // 64
  /** 64 exact buckets, then 64 per power of two from 2^6 to 2^62. */
  static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

  private final long[] counts;
  private long count;
  private long sum;
  private long min = Long.MAX_VALUE;
  private long max;

  public LatencyHistogram() {
    this.counts = new long[BUCKETS];
  }

  private LatencyHistogram(LatencyHistogram other) {
    this.counts = other.counts.clone();
    this.count = other.count;
    this.sum = other.sum;
    this.min = other.min;
    this.max = other.max;
  }

  /** Records one value in nanoseconds; a negative value is recorded as 0. */
  public void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[bucketOf(v)]++;
    count++;
    sum = sum + v < sum ? Long.MAX_VALUE : sum + v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }

  /** Returns an independent copy. */
  public LatencyHistogram copy() {
    return new LatencyHistogram(this);
  }

  public long count() {
    return count;
  }

  /** Returns the smallest value recorded, {@link Duration#ZERO} if none. */
  public Duration min() {
    return count == 0 ? Duration.ZERO : Duration.ofNanos(min);
  }

  /** Returns the largest value recorded, {@link Duration#ZERO} if none. */
  public Duration max() {
    return Duration.ofNanos(max);
  }

  /** Returns the mean of the values recorded, {@link Duration#ZERO} if none. */
  public Duration mean() {
    return count == 0 ? Duration.ZERO : Duration.ofNanos(sum / count);
  }

  /**
   * Returns the value at {@code percentile} (0 to 100) by nearest rank: the smallest bucket holding at
   * least that share of the values, reported as its middle (the exact min and max for the first and last
   * rank). {@link Duration#ZERO} if nothing was recorded.
   */
  public Duration percentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile out of range [0..100]: " + percentile);
    }
    if (count == 0) {
      return Duration.ZERO;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * count));
    if (rank >= count) {
      return Duration.ofNanos(max);
    }
    if (rank == 1) {
      return Duration.ofNanos(min);
    }
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        long middle = lowerBound(i) + (width(i) - 1) / 2;
        return Duration.ofNanos(Math.max(min, Math.min(max, middle)));
      }
    }
    return Duration.ofNanos(max);
  }

  static int bucketOf(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int k = 63 - Long.numberOfLeadingZeros(v); // 2^k <= v < 2^(k+1), k >= 6
    int sub = (int) (v >>> (k - SUB_BITS)) - SUB; // 0..63
    return SUB + (k - SUB_BITS) * SUB + sub;
  }

  static long lowerBound(int bucket) {
    if (bucket < SUB) {
      return bucket;
    }
    int k = (bucket - SUB) / SUB + SUB_BITS;
    int sub = (bucket - SUB) % SUB;
    return (long) (SUB + sub) << (k - SUB_BITS);
  }

  static long width(int bucket) {
    if (bucket < SUB) {
      return 1;
    }
    int k = (bucket - SUB) / SUB + SUB_BITS;
    return 1L << (k - SUB_BITS);
  }
}
