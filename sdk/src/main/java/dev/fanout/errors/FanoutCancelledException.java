package dev.fanout.errors;

/**
 * A call was cancelled before it completed: its future was cancelled by the caller, a fan-out cancelled it
 * because the outcome was already decided (a fail-fast failure, a first success, k of n), its fan-out, scope
 * or stream was cancelled or closed, or the client was closed.
 *
 * <h2>A cancelled call's request may have reached the server.</h2>
 * A call cancelled while it waited (for a {@code maxInFlight} slot, the governor, a retry backoff) was never
 * sent. A call cancelled while its request was in flight may have reached the server, which may act on it:
 * the cancel closes the request's stream or connection, it does not undo what the server received. Once a
 * cancel or {@code close()} has returned, no request of the calls it cancelled is written to the network.
 * When the client's close, or a cancel that found the call still waiting, fails a call, the message says
 * which it was: {@code its request was never sent} or {@code its request had been sent and may have
 * reached the server}.
 */
public class FanoutCancelledException extends FanoutException {
  public FanoutCancelledException(String message) {
    super(message);
  }

  public FanoutCancelledException(String message, Throwable cause) {
    super(message, cause);
  }
}
