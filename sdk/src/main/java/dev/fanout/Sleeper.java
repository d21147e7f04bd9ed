package dev.fanout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Waits between retry attempts without blocking a thread: {@link #sleep} returns a future that completes
 * once the duration has passed.
 *
 * <p>The client's default sleeper schedules the completion on its scheduler. Tests inject one that records
 * the requested durations and completes at once, so they can assert backoffs without waiting for them.
 *
 * <h2>Implementations must not block.</h2>
 * {@code sleep} is called from OkHttp callbacks; it must return at once. If the client cancels the returned
 * future (the call was cancelled or timed out), the implementation may drop the pending wait.
 */
@FunctionalInterface
public interface Sleeper {
  /** Returns a future that completes (with {@code null}) after {@code duration}. */
  CompletableFuture<Void> sleep(Duration duration);
}
