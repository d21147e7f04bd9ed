package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.GovernorReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one fan-out's calls met at the rate-limit governor, gathered as they run: the 429s their attempts
 * got and the buckets they were admitted to. {@link #report} adds the waits from the calls' traces.
 * Thread-safe.
 */
public final class GovernorTally {
  private final AtomicInteger rateLimited = new AtomicInteger();
  private final ConcurrentHashMap<String, AttemptGate.GovernedBucket> buckets = new ConcurrentHashMap<>();

  /** An attempt was answered 429. */
  void rateLimited() {
    rateLimited.incrementAndGet();
  }

  /** An attempt was admitted to {@code bucket} (null: the gate has no buckets). */
  void admittedTo(AttemptGate.GovernedBucket bucket) {
    if (bucket != null) {
      buckets.putIfAbsent(bucket.key(), bucket);
    }
  }

  /** Returns the report: these counts, the waits in {@code traces}, and each bucket's state now. */
  public GovernorReport report(Collection<? extends List<CallTrace>> traces) {
    int waited = 0;
    long total = 0;
    long max = 0;
    for (List<CallTrace> list : traces) {
      for (CallTrace t : list) {
        long w = t.governorWaitNanos();
        if (w > 0) {
          waited++;
          total += w;
          max = Math.max(max, w);
        }
      }
    }
    List<GovernorReport.Bucket> snapshots = new ArrayList<>();
    for (AttemptGate.GovernedBucket b : buckets.values()) {
      snapshots.add(b.snapshot());
    }
    return new GovernorReport(rateLimited.get(), waited, Duration.ofNanos(total), Duration.ofNanos(max), snapshots);
  }
}
