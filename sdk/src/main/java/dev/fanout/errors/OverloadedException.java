package dev.fanout.errors;

import java.util.List;
import java.util.Map;

/**
 * The server is overloaded (Anthropic's HTTP 529 {@code overloaded_error}): a {@link ServerException},
 * retried by the default {@link dev.fanout.RetryPolicy}; with a {@code retry-after} the governor pauses the
 * route like a 429.
 */
public class OverloadedException extends ServerException {
  public OverloadedException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message, statusCode, method, url, headers, body);
  }
}
