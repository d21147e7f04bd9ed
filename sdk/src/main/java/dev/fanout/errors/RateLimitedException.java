package dev.fanout.errors;

import java.time.Duration;

/**
 * The server is rate limiting the caller (HTTP 429). {@link #retryAfter()} is how long the server asked the
 * caller to wait, read from {@code Retry-After-Ms} or {@code Retry-After} (seconds or an HTTP date).
 * Retried by the default {@link dev.fanout.RetryPolicy}, which honours that wait up to a cap.
 */
public class RateLimitedException extends ServiceException {
  private final Duration retryAfter;

  /** @param retryAfter the wait the server asked for, or {@code null} when it sent no usable header */
  public RateLimitedException(String message, ErrorResponse response, Duration retryAfter) {
    super(message, response);
    this.retryAfter = retryAfter;
  }

  /** Returns the wait the server asked for, or {@code null} when it sent no usable retry-after header. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
