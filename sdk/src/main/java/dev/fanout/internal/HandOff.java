package dev.fanout.internal;

import java.io.IOException;
import okhttp3.Interceptor;

/**
 * The last look before a request goes to the network: the first application interceptor asks the request's
 * {@link LogicalCall} whether it may still be sent, on the OkHttp thread that is about to send it, and
 * refuses it if the call has finished, its fan-out or scope was cancelled, or the client was closed.
 *
 * <h2>Why here and not at enqueue.</h2>
 * A call enqueued beyond {@code maxInFlight} waits in OkHttp's dispatcher queue, and cancelling the calls in
 * flight frees the slots it waits for: without this check a cancel or close promoted the queued calls it had
 * not reached yet, and they were written while it ran. A cancel or close marks its state (the scopes, the
 * client) before it cancels any call, and the call answers under the same lock that its finish takes, so a
 * request is either refused here or had passed here before the cancel began; a request past this point has
 * its OkHttp {@link okhttp3.Call} cancelled before the cancel returns, which OkHttp checks again before it
 * writes. A refused request was never written.
 *
 * <p>What OkHttp 5.5.1 does with a cancelled call: one still in the dispatcher's queue runs when a slot
 * frees, through the application interceptors (this one refuses it), and {@code RetryAndFollowUpInterceptor}
 * fails it with {@code Canceled} before it connects; one connecting or writing has its exchange cancelled
 * (the HTTP/1 socket closed). One edge remains, OkHttp's: over HTTP/2 its codec checks the cancel after it
 * writes the stream's {@code HEADERS}, so a request that had passed here before the cancel began and was
 * opening its stream as the cancel came can still put its headers on the wire, followed at once by
 * {@code RST_STREAM(CANCEL)}.
 */
final class HandOff {
  private HandOff() {}

  /** The request was not sent: its call was cancelled or finished, or the client closed, while it waited. */
  static final class RefusedException extends IOException {
    RefusedException(String why) {
      super(why);
    }
  }

  /**
   * Returns the interceptor. Install it first, so a refused request waits for nothing further, and again after
   * any interceptor that may hold a request (the {@link ConnectionGate}), so one that waited there is asked
   * again; asking twice is harmless.
   */
  public static Interceptor interceptor() {
    return chain -> {
      LogicalCall<?> call = chain.request().tag(LogicalCall.class);
      if (call != null) {
        String refused = call.handOff();
        if (refused != null) {
          throw new RefusedException(refused);
        }
      }
      return chain.proceed(chain.request());
    };
  }
}
