package dev.fanout.errors;

import java.time.Duration;

/**
 * A call or a fan-out ran past its timeout or deadline. In a settled fan-out, inputs still running at the
 * deadline are reported with this exception.
 */
public class FanoutTimeoutException extends FanoutException {
  private final Duration timeout;

  public FanoutTimeoutException(String message, Duration timeout) {
    super(message);
    this.timeout = timeout;
  }

  public FanoutTimeoutException(String message, Duration timeout, Throwable cause) {
    super(message, cause);
    this.timeout = timeout;
  }

  /** The timeout or deadline budget that was exceeded, or {@code null} when unknown. */
  public Duration timeout() {
    return timeout;
  }
}
