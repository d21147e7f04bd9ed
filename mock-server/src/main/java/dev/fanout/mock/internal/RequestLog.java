package dev.fanout.mock.internal;

import dev.fanout.mock.ReceivedRequest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests one backend received, numbered in order of receipt, the latest {@code capacity} kept for
 * {@code takeRequest} (older ones dropped, so a backend can serve for ever). Both engines write to it;
 * thread-safe.
 */
public final class RequestLog {
  private final AtomicLong sequence = new AtomicLong();
  private final BlockingQueue<ReceivedRequest> kept; // null: keep none

  public RequestLog(int capacity) {
    kept = capacity > 0 ? new ArrayBlockingQueue<>(capacity) : null;
  }

  /** Numbers the request in order of receipt and returns it; {@link #keep} then records it. */
  public ReceivedRequest receive(ReceivedRequest.Builder request) {
    return request.sequence(sequence.getAndIncrement()).build();
  }

  /**
   * Makes {@code r} visible to {@link #take}. Called once the stats count the request and its seeded decision
   * (latency, fault) is drawn, so a test that has taken a request finds it counted (in flight, then completed
   * or aborted) and knows the next request draws the next decision.
   */
  public void keep(ReceivedRequest r) {
    if (kept != null) {
      while (!kept.offer(r)) kept.poll(); // drop the oldest
    }
  }

  public boolean keeps() {
    return kept != null;
  }

  /** The oldest kept request not yet taken, waiting up to the timeout; null if none came. */
  public ReceivedRequest take(long timeout, TimeUnit unit) throws InterruptedException {
    if (kept == null) throw new IllegalStateException("recordedRequests is 0: requests are not recorded");
    return kept.poll(timeout, unit);
  }

  /** Drops the kept requests (the numbering goes on). */
  public void clear() {
    if (kept != null) kept.clear();
  }
}
