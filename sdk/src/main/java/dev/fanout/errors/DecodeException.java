package dev.fanout.errors;

/**
 * A successful response could not be read as the expected type: the body was not JSON, had the wrong
 * shape, was empty, was larger than the client's {@code maxResponseBytes}, or a stream carried garbage or
 * ended without its terminator. Not retried.
 */
public class DecodeException extends FanoutException {
  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
