package dev.fanout.internal.hedge;

import java.util.Arrays;

/**
 * The latest latencies of one route, in a bounded ring, and a percentile over them. Thread-safe; the
 * percentile is recomputed at most every {@code capacity / 16} new samples.
 */
final class LatencyTracker {
  /**
   * The latencies kept per route: few enough that the percentile follows the route's present (a cold start's
   * connects are forgotten within a fan-out or two), enough that a p95 has 6 samples above it.
   */
  static final int DEFAULT_CAPACITY = 128;

  private final long[] ring;
  private int size;
  private int next;
  private int sinceSort = Integer.MAX_VALUE;
  private long[] sorted = new long[0];

  LatencyTracker(int capacity) {
    this.ring = new long[capacity];
  }

  synchronized void record(long nanos) {
    ring[next] = Math.max(0, nanos);
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
    if (sinceSort != Integer.MAX_VALUE) {
      sinceSort++;
    }
  }

  synchronized int size() {
    return size;
  }

  /** Returns the {@code p} quantile (nearest rank) of the samples held, or -1 when there are none. */
  synchronized long percentile(double p) {
    if (size == 0) {
      return -1;
    }
    if (sinceSort > Math.max(1, ring.length / 16) || sorted.length != size) {
      sorted = Arrays.copyOf(ring, size);
      Arrays.sort(sorted);
      sinceSort = 0;
    }
    int rank = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }
}
