package dev.fanout.errors;

/**
 * The root of every exception Fanout throws or completes a future with.
 *
 * <p>All Fanout exceptions are unchecked. Subtypes say what went wrong: the server answered with an
 * error ({@link ServiceException} and its subtypes), the exchange failed on the wire
 * ({@link TransportException}), the body could not be read as the expected type
 * ({@link DecodeException}), a deadline or timeout passed ({@link FanoutTimeoutException}), retries ran
 * out ({@link RetriesExhaustedException}) or the call was cancelled ({@link FanoutCancelledException}).
 */
public class FanoutException extends RuntimeException {
  public FanoutException(String message) {
    super(message);
  }

  public FanoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
