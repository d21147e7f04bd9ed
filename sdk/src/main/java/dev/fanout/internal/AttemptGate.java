package dev.fanout.internal;

import java.util.concurrent.CompletableFuture;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The seam where adaptive behaviour plugs into the call path: every attempt of every {@link LogicalCall}
 * first waits for admission ({@link #acquire}), and reports how it went to the {@link Permit} it got. A
 * rate-limit governor paces or sheds here; a concurrency limiter counts here. The default
 * {@link #OPEN} admits at once and observes nothing.
 *
 * <h2>Nothing here may block.</h2>
 * {@code acquire} returns a future at once (complete it later, from a {@link dev.fanout.FanoutClock}
 * timer, to delay the attempt); the permit's methods run on OkHttp threads and must return quickly.
 */
public interface AttemptGate {
  /** Admits every attempt at once. */
  AttemptGate OPEN = new AttemptGate() {
    @Override
    public CompletableFuture<Permit> acquire(Request request, int attempt) {
      return CompletableFuture.completedFuture(Permit.NONE);
    }

    @Override
    public String toString() {
      return "AttemptGate.OPEN";
    }
  };

  /**
   * Returns a future that completes with a permit when attempt {@code attempt} (1-based) of
   * {@code request} may be sent, or fails to refuse it (the call then fails with that error, unretried).
   * The call cancels the future if it ends first (deadline, cancel); the gate then must not count it.
   */
  CompletableFuture<Permit> acquire(Request request, int attempt);

  /** A deadline that never passes, for {@link #acquire(Request, int, long)}. */
  long NO_DEADLINE = Long.MAX_VALUE;

  /**
   * Returns {@link #acquire(Request, int)} for a call whose deadline is {@code deadlineNanos} on the
   * engine's {@link dev.fanout.FanoutClock#nanoTime()} ({@link #NO_DEADLINE} for none): a gate that knows
   * its wait would end past it fails the future at once with {@link dev.fanout.errors.FanoutTimeoutException}.
   */
  default CompletableFuture<Permit> acquire(Request request, int attempt, long deadlineNanos) {
    return acquire(request, attempt);
  }

  /**
   * The client is closing: every attempt still waiting for admission fails with
   * {@link dev.fanout.errors.FanoutCancelledException}, and later acquires fail at once. Permits already
   * granted still report back. Idempotent; nothing by default.
   */
  default void close() {}

  /**
   * Returns true if this gate itself waits out rate limits (a 429 pauses its bucket), so a retry of a 429
   * must not also pay the retry policy's backoff. False for {@link #OPEN}.
   */
  default boolean pacesRateLimits() {
    return false;
  }

  /** One admitted attempt; exactly one of its methods is called, once. */
  interface Permit {
    /** A permit that observes nothing. */
    Permit NONE = new Permit() {
      @Override
      public void onResponse(Response response) {}

      @Override
      public void onFailure(Throwable error) {}
    };

    /**
     * The attempt got {@code response} (status and headers; its body is not to be consumed here, though a
     * gate may peek at a bounded prefix of an error's body).
     */
    void onResponse(Response response);

    /** The attempt ended without a response: a transport failure, a timeout or a cancel. */
    void onFailure(Throwable error);

    /** Returns how long the attempt waited for admission; zero by default. */
    default java.time.Duration waited() {
      return java.time.Duration.ZERO;
    }

    /**
     * After {@link #onResponse}: the response body reported {@code totalTokens} used (input plus output),
     * so a gate that charged an estimate can correct it. Nothing by default.
     */
    default void onUsage(long totalTokens) {}

    /**
     * After {@link #onResponse}: the response body reported {@code inputTokens} (those an input-token limit
     * counts) and {@code outputTokens}, so a gate that charged an estimate per kind can correct each. Reports
     * their sum to {@link #onUsage(long)} by default.
     */
    default void onUsage(long inputTokens, long outputTokens) {
      onUsage(inputTokens + outputTokens);
    }

    /** Returns the rate-limited bucket this attempt was admitted to, for a fan-out's report; null if none. */
    default GovernedBucket bucket() {
      return null;
    }
  }

  /** A bucket of a gate, as a fan-out's {@link dev.fanout.GovernorReport} shows it. */
  interface GovernedBucket {
    /** Returns a key unique within the gate ({@code host:port bucket}). */
    String key();

    /** Returns the bucket's state now. */
    dev.fanout.GovernorReport.Bucket snapshot();
  }
}
