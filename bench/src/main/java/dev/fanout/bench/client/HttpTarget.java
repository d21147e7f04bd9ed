package dev.fanout.bench.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP client under test: it fetches {@code GET /users/{id}} asynchronously, reads the whole body and
 * completes with the id the body carries.
 *
 * <p>A target owns its client and releases it in {@link #close()}.
 */
public interface HttpTarget extends AutoCloseable {

  /** Starts fetching user {@code id}; the future completes with the id read from the body, or fails. */
  CompletableFuture<Long> fetchUser(long id);

  /**
   * Opens the client's connections before the first measured round, with a request the backend answers at
   * once ({@code GET /__admin/stats}), and returns how many requests it made. The default does nothing.
   */
  default int prime() throws Exception {
    return 0;
  }

  /**
   * Runs one flat fan-out of {@code ids} and waits for every call to finish, timed from the first call to
   * the last body read. The default starts every call in a loop; a target may use its own combinator.
   */
  default Round fanOut(List<Long> ids) {
    AtomicLong lastDone = new AtomicLong();
    AtomicInteger failures = new AtomicInteger();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[ids.size()];
    long start = System.nanoTime();
    for (int i = 0; i < futures.length; i++) {
      long id = ids.get(i);
      futures[i] = fetchUser(id).handle((got, error) -> {
        if (error != null || got == null || got != id) failures.incrementAndGet();
        lastDone.accumulateAndGet(System.nanoTime(), Math::max);
        return null;
      });
    }
    CompletableFuture.allOf(futures).join();
    return new Round(Math.max(0, lastDone.get() - start), ids.size(), failures.get());
  }

  /** One timed fan-out: wall nanoseconds from the first call to the last body read, calls made and failed. */
  record Round(long wallNanos, int calls, int failures) {}

  @Override
  void close();
}
