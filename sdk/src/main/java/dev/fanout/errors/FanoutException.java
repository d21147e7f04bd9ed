package dev.fanout.errors;

/**
 * The root of every exception Fanout throws or completes a future with.
 *
 * <p>All Fanout exceptions are unchecked. Subtypes say what went wrong: the server answered with an
 * error ({@link ServiceException} and its subtypes), the exchange failed on the wire
 * ({@link TransportException}), the body could not be read as the expected type
 * ({@link DecodeException}), a deadline or timeout passed ({@link FanoutTimeoutException}) or the call was
 * cancelled ({@link FanoutCancelledException}). When retries run out, the call fails with the last
 * attempt's own exception; {@link #attempts()} says how many attempts the call made.
 */
public class FanoutException extends RuntimeException {
  private volatile int attempts;

  public FanoutException(String message) {
    super(message);
  }

  public FanoutException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Returns the message, ending with how many attempts the call made when it made more than one ({@code (3
   * attempts)}); {@link ConnectionSetupException} says it for one too.
   */
  @Override
  public String getMessage() {
    String m = super.getMessage();
    int n = attempts;
    return n > 1 || (n == 1 && this instanceof ConnectionSetupException)
        ? m + " (" + n + (n == 1 ? " attempt)" : " attempts)") : m;
  }

  /**
   * Returns how many attempts the failed call made, the first included (3 after the default policy's
   * retries ran out), or 0 when the failure did not come from a call's attempts (a fan-out's own
   * failure, a call refused before any attempt).
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Sets what {@link #attempts()} returns, like {@link Throwable#setStackTrace}: the SDK calls it when a call
   * fails with this exception after one or more attempts, before the failure is delivered; a framework that
   * retries calls itself may call it too.
   *
   * @throws IllegalArgumentException if {@code attempts} is negative
   */
  public void setAttempts(int attempts) {
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts < 0: " + attempts);
    }
    this.attempts = attempts;
  }
}
