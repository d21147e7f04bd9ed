package dev.fanout.errors;

/**
 * A call was cancelled before it completed: its future was cancelled by the caller, or a fan-out
 * cancelled it because the outcome was already decided (a fail-fast failure, a first success, k of n).
 */
public class FanoutCancelledException extends FanoutException {
  public FanoutCancelledException(String message) {
    super(message);
  }

  public FanoutCancelledException(String message, Throwable cause) {
    super(message, cause);
  }
}
