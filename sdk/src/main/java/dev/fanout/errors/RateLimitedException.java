package dev.fanout.errors;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server is rate limiting the caller (HTTP 429). {@link #retryAfter()} is how long the server asked the
 * caller to wait, read from {@code Retry-After-Ms} or {@code Retry-After} (seconds or an HTTP date).
 * Retried by the default {@link dev.fanout.RetryPolicy}, which honours that wait up to a cap.
 */
public class RateLimitedException extends ServiceException {
  private final Duration retryAfter;

  public RateLimitedException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body,
      Duration retryAfter) {
    super(message, statusCode, method, url, headers, body);
    this.retryAfter = retryAfter;
  }

  /** Returns the wait the server asked for, or {@code null} when it sent no usable retry-after header. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
