package dev.fanout.errors;

/**
 * The server is overloaded (Anthropic's HTTP 529 {@code overloaded_error}): a {@link ServerException},
 * retried by the default {@link dev.fanout.RetryPolicy}; with a {@code retry-after} the governor pauses the
 * route like a 429.
 */
public class OverloadedException extends ServerException {
  public OverloadedException(String message, ErrorResponse response) {
    super(message, response);
  }
}
