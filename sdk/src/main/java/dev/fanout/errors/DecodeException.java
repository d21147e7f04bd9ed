package dev.fanout.errors;

/**
 * A successful response could not be read as the expected type: the body was not JSON, had the wrong
 * shape (the wrong JSON type, a missing required field), was {@code null} or empty, named another id than
 * the one asked for, was larger than the client's {@code maxResponseBytes}, or a stream carried garbage or
 * an error event or ended without its terminator. Not retried. What the message quotes of the body has
 * the request's credentials redacted.
 */
public class DecodeException extends FanoutException {
  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
