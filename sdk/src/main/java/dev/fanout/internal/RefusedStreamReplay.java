package dev.fanout.internal;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Sends a request again, at once, when an HTTP/2 server provably did not process it.
 *
 * <h2>The rule: only a stream the server says it never processed.</h2>
 * RFC 9113 names two such cases. A server refuses a stream it will not serve ({@code RST_STREAM} with
 * {@code REFUSED_STREAM}, section 8.7), as one at its {@code SETTINGS_MAX_CONCURRENT_STREAMS} does. A server
 * shutting a connection down (a reload, a per-connection request limit) sends {@code GOAWAY} naming the last
 * stream it processed; streams above it were not processed (section 6.8). OkHttp fails the first with
 * {@code StreamResetException} ({@code REFUSED_STREAM}), resets the second the same way, and fails a stream
 * it was about to open on a connection that had already received {@code GOAWAY} with {@code
 * ConnectionShutdownException}. The request of any of these may be sent again whatever its method,
 * {@code POST} included: the server did nothing with it. That replay is not an attempt: the server's count of
 * requests still equals the sum of the attempts, the retry policy is not consulted, and no backoff is paid.
 * It is told to the request's {@link CallEvents.Leg} as a replay, as a {@link StaleConnectionReplay} is: the
 * trace ({@link dev.fanout.CallTrace#replays()}), the client's stats and its spans count it apart.
 *
 * <p>OkHttp's own retry would re-send these too, but it is off in the SDK (it also re-sends requests the
 * server may have processed, bounded by nothing the retry policy sees). Go's {@code http2.Transport}
 * re-sends the same three cases ({@code canRetryError}: {@code REFUSED_STREAM}, {@code
 * errClientConnGotGoAway}, {@code errClientConnUnusable}), the first at once and later ones after a backoff.
 *
 * <h2>Bounded.</h2>
 * At most {@link #MAX_REPLAYS} times per request: a server that refuses every stream fails the attempt with
 * a {@link RefusedStreamException} that says so (a {@link dev.fanout.errors.TransportException} to the
 * caller), which the retry policy then decides on, with its backoff. Each replay passes the {@link
 * ConnectionGate} again, so it waits for a free stream under the stream limit the server announced rather
 * than piling onto a connection whose {@code SETTINGS} are not yet known, where a server would refuse it
 * again (and a server counting the resets it sends may close the connection). OkHttp moves a connection that refused two streams out of use. A replay runs inside
 * the same OkHttp call, so the call's deadline and cancellation still end it. A request whose body can be
 * written only once ({@link RequestBody#isOneShot()}) is not replayed.
 */
final class RefusedStreamReplay {
  /** The most times one request is sent again because its stream was not processed: 8. */
  static final int MAX_REPLAYS = 8;

  /** The request was refused {@link #MAX_REPLAYS} + 1 times: the server never processed it. */
  static final class RefusedStreamException extends IOException {
    RefusedStreamException(String message, IOException cause) {
      super(message, cause);
    }
  }

  private RefusedStreamReplay() {}

  /** The application interceptor; installed before {@link ConnectionGate}'s, so that each replay passes the gate again. */
  public static Interceptor application() {
    return chain -> {
      Request request = chain.request();
      for (int replays = 0; ; replays++) {
        try {
          return chain.proceed(request);
        } catch (IOException e) {
          String why = unprocessed(e);
          if (why == null || chain.call().isCanceled() || oneShot(request.body())) {
            throw e;
          }
          if (replays >= MAX_REPLAYS) {
            throw new RefusedStreamException("the server did not process the request: " + why + ", "
                + (replays + 1) + " times (sent again " + replays + " times, the most allowed)", e);
          }
          HttpEngine.LOG.debug("{} {}: the server did not process the request ({}); sending it again", request.method(),
              Redaction.pathAndQuery(request), why);
          CallEvents.Leg leg = request.tag(CallEvents.Leg.class);
          if (leg != null) {
            leg.replayed();
          }
        }
      }
    };
  }

  private static boolean oneShot(RequestBody body) {
    return body != null && body.isOneShot();
  }

  /**
   * Why {@code e} means the server did not process the request, or null if it may have. OkHttp's {@code
   * okhttp3.internal.http2} types are not exported to other modules, so they are known by name; a {@code
   * StreamResetException}'s message is {@code "stream was reset: "} and its error code.
   */
  static String unprocessed(IOException e) {
    String type = e.getClass().getName();
    if (type.equals("okhttp3.internal.http2.StreamResetException")
        && "stream was reset: REFUSED_STREAM".equals(e.getMessage())) {
      return "HTTP/2 stream refused (REFUSED_STREAM, or above a GOAWAY's last stream id)";
    }
    if (e instanceof StreamLimitGuard.StreamLimitReachedException) {
      return "not sent: the HTTP/2 connection was at the server's stream limit";
    }
    if (type.equals("okhttp3.internal.http2.ConnectionShutdownException")) {
      return "the HTTP/2 connection had received GOAWAY before the stream was opened";
    }
    return null;
  }
}
