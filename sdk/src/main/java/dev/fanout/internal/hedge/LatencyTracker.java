package dev.fanout.internal.hedge;

import java.util.Arrays;

/**
 * The latencies of one route's latest calls, in a bounded ring, and a percentile over them. Thread-safe;
 * the percentile is recomputed at most every {@code capacity / 16} new samples.
 *
 * <h2>Calls are kept in the order they started, not finished.</h2>
 * Each call takes a sequence number when it starts ({@link #nextSequence()}) and its latency goes to that
 * number's slot when it finishes, unless a later call has the slot already. In a fan-out of 200 the last
 * 128 to <em>finish</em> are its slowest 128, so a ring in completion order would hold a biased sample
 * (its p95 the fan-out's p97); the last calls to <em>start</em> are as fast or slow as any.
 */
final class LatencyTracker {
  /**
   * The calls kept per route: more than a typical fan-out (so one is sampled whole), few enough that the
   * percentile follows the route's present (a cold start's connects are forgotten a fan-out or two later).
   */
  static final int DEFAULT_CAPACITY = 256;
  /**
   * The sample of a request whose latency is unknown but longer than any delay worth waiting (a backup won):
   * it ranks above every real latency, and a percentile that falls on it means "do not hedge yet".
   */
  static final long UNKNOWN_BUT_LONGER = Long.MAX_VALUE;

  private final long[] ring;
  private final long[] sequences;
  private long nextSequence;
  private int size;
  private int sinceSort = Integer.MAX_VALUE;
  private long[] sorted = new long[0];

  LatencyTracker(int capacity) {
    this.ring = new long[capacity];
    this.sequences = new long[capacity];
    Arrays.fill(sequences, -1);
  }

  /** Returns the sequence number of a call starting now. */
  synchronized long nextSequence() {
    return nextSequence++;
  }

  /** Records the latency of the call that started as {@code sequence}; dropped if a later call has its slot. */
  synchronized void record(long sequence, long nanos) {
    int slot = (int) (sequence % ring.length);
    if (sequences[slot] > sequence) {
      return;
    }
    if (sequences[slot] < 0) {
      size++;
    }
    sequences[slot] = sequence;
    ring[slot] = Math.max(0, nanos);
    if (sinceSort != Integer.MAX_VALUE) {
      sinceSort++;
    }
  }

  /** Records the latency of a call that starts and finishes now (tests). */
  synchronized void record(long nanos) {
    record(nextSequence(), nanos);
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
      sorted = new long[size];
      int i = 0;
      for (int slot = 0; slot < ring.length; slot++) {
        if (sequences[slot] >= 0) {
          sorted[i++] = ring[slot];
        }
      }
      Arrays.sort(sorted);
      sinceSort = 0;
    }
    int rank = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }
}
