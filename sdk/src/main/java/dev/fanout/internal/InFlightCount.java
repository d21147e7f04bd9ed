package dev.fanout.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK's own count of a client's requests in flight: handed to OkHttp, their outcome not yet known. It
 * says so, once per client, when that exceeds {@code maxInFlight}: a fan-out wider than the limit runs in
 * waves, which must never happen silently. OkHttp's queue is not the signal: a finished call keeps its
 * dispatcher slot while its callback runs, and a fan-out bounded at the limit starts its next call there.
 * Hedges read it: a hedge is never sent at the limit.
 */
final class InFlightCount {
  /**
   * The dispatcher's {@code maxRequests} when the client was built: read once, since the dispatcher's getter
   * takes the lock every call's enqueue and finish take.
   */
  private final int max;
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicBoolean warned = new AtomicBoolean();

  InFlightCount(int max) {
    this.max = max;
  }

  /** A request was handed to OkHttp. */
  void sent() {
    int n = count.incrementAndGet();
    if (n <= max || warned.get()) {
      return;
    }
    if (warned.compareAndSet(false, true)) {
      HttpEngine.LOG.warn("maxInFlight={} reached: further calls wait for a free slot, so a wider fan-out runs in"
              + " waves. Raise FanoutClient.Builder.maxInFlight, or bound the fan-out with"
              + " FanoutOptions.maxConcurrency to make the limit explicit. (Logged once per client.)",
          max);
    }
  }

  /** A request's outcome is known (called once per request sent). */
  void ended() {
    count.decrementAndGet();
  }

  /** True if {@code maxInFlight} requests are in flight. */
  boolean atLimit() {
    return count.get() >= max;
  }
}
