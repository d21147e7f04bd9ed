package dev.fanout.internal.governor;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of a client's governor: totals and one entry per bucket.
 *
 * @param admitted permits granted so far
 * @param rateLimited 429 responses seen, all buckets
 * @param totalWait the waits of every admitted call, summed
 * @param buckets each bucket's own figures
 */
record GovernorStats(long admitted, long rateLimited, Duration totalWait, List<BucketStats> buckets) {}
