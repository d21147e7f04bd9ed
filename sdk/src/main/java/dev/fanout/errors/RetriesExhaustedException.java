package dev.fanout.errors;

/**
 * Every attempt the retry policy allows failed with a retryable error. The cause is the last attempt's
 * failure (for example a {@link RateLimitedException} or a {@link TransportException}).
 */
public class RetriesExhaustedException extends FanoutException {
  private final int attempts;

  public RetriesExhaustedException(String message, int attempts, Throwable lastFailure) {
    super(message, lastFailure);
    this.attempts = attempts;
  }

  /** Returns how many attempts were made, the first one included. */
  public int attempts() {
    return attempts;
  }
}
