package dev.fanout.internal.governor;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one bucket of the governor.
 *
 * @param key the bucket
 * @param concurrencyLimit the adaptive concurrency limit now
 * @param inFlight permits not yet reported back
 * @param queued calls waiting for a permit
 * @param admitted permits granted so far
 * @param rateLimited 429 responses seen
 * @param totalWait the waits of every admitted call, summed
 * @param maxWait the longest wait of an admitted call
 * @param pausedFor how long the bucket stays paused by a 429 from now (zero when not paused)
 * @param limits the published limits the bucket is pacing to
 * @param capped whether {@code concurrencyLimit} applies (false while a bucket that has seen no limit runs
 *     open, up to the client's {@code maxInFlight})
 */
public record BucketStats(
    GovernorKey key,
    int concurrencyLimit,
    int inFlight,
    int queued,
    long admitted,
    long rateLimited,
    Duration totalWait,
    Duration maxWait,
    Duration pausedFor,
    List<LimitStats> limits,
    boolean capped) {

  /**
   * One published limit of a bucket.
   *
   * @param dimension what it counts
   * @param policy the convention or IETF policy name
   * @param limit the published quota, or -1 when not published
   * @param windowNanos the period the quota counts over, in nanoseconds, or -1 when not known
   * @param remaining what the ledger says is left now
   * @param ratePerSecond the pace now allowed, in units per second
   */
  public record LimitStats(LimitDimension dimension, String policy, long limit, long windowNanos, double remaining,
      double ratePerSecond) {}
}
