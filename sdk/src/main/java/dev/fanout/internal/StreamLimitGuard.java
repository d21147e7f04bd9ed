package dev.fanout.internal;

import java.io.IOException;
import okhttp3.Connection;
import okhttp3.Interceptor;

/**
 * Keeps a request off an HTTP/2 connection whose server's stream limit its open streams already fill.
 *
 * <h2>The problem: a lowered limit, acknowledged before OkHttp obeys it.</h2>
 * A server may lower {@code SETTINGS_MAX_CONCURRENT_STREAMS} while streams run (Node's {@code
 * session.settings()}, a server under memory pressure). OkHttp applies the new {@code SETTINGS} and acknowledges
 * them at once, but updates the connection's call limit, which its pool obeys, on a task of its own some time later
 * (tens of milliseconds on a busy machine). Until then the pool puts new calls on the connection, whose streams
 * then exceed the limit the client has acknowledged. RFC 9113 (section 5.1.2) lets the server reset such a stream;
 * nghttp2 (Node's {@code http2}) instead treats it as a connection error: it sends {@code GOAWAY
 * PROTOCOL_ERROR} and drops every stream in flight, requests it was processing included, and the retry policy
 * sends those again.
 *
 * <h2>The rule</h2>
 * Just before a request is written on an HTTP/2 connection (a network interceptor, after the gate's), while
 * OkHttp's call limit for the connection is still above the limit of the {@code SETTINGS} it has applied (the
 * window above) and the connection's open streams already reach that limit, the request is not sent: the call
 * limit is lowered to the applied limit (so the pool stops handing the connection out) and the request fails
 * with {@link StreamLimitReachedException}, which {@link RefusedStreamReplay} sends again through the {@link
 * ConnectionGate} as it does a refused stream. The server never saw it. Outside that window the call limit
 * already keeps the streams under the server's limit, and the guard stays out of the way: OkHttp removes a
 * finished stream a moment after its caller can read the end of it, so the open streams can read one too many
 * just as a new call takes the freed place. The check and the stream's creation are not atomic (OkHttp offers no
 * hook between them), so {@code SETTINGS} that arrive in that gap of microseconds can still meet a stream above
 * the new limit; the window it closes is OkHttp's task delay.
 */
final class StreamLimitGuard {
  /** The request was not sent: its connection's open streams already reach the server's stream limit. */
  static final class StreamLimitReachedException extends IOException {
    StreamLimitReachedException(String message) {
      super(message);
    }
  }

  private StreamLimitGuard() {}

  /** The network interceptor; installed after the {@link ConnectionGate}'s, just before the request is written. */
  static Interceptor network() {
    return chain -> {
      Connection connection = chain.connection();
      int limit = connection == null ? PeerSettings.UNKNOWN : PeerSettings.maxConcurrentStreams(connection);
      if (limit > 0 && limit != PeerSettings.NONE_ANNOUNCED
          && holds(PeerSettings.openStreams(connection), limit, callLimit(connection))) {
        lowerCallLimit(connection, limit);
        throw new StreamLimitReachedException("not sent: the HTTP/2 connection's open streams reach the server's "
            + "stream limit (" + limit + ")");
      }
      return chain.proceed(chain.request());
    };
  }

  /**
   * Whether a request is held off a connection with {@code open} streams whose server's applied limit is {@code
   * limit}, while OkHttp's call limit for it is {@code callLimit}: only while the call limit is stale (above the
   * applied limit) and the streams already reach the limit.
   */
  static boolean holds(int open, int limit, int callLimit) {
    return callLimit > limit && open >= limit;
  }

  /** OkHttp's call limit for {@code connection}; {@link Integer#MAX_VALUE} where it cannot be read. */
  private static int callLimit(Connection connection) {
    if (ConnectionGate.ALLOCATION_LIMIT == null) return Integer.MAX_VALUE;
    try {
      return (int) ConnectionGate.ALLOCATION_LIMIT.invokeExact(connection);
    } catch (Throwable e) {
      return Integer.MAX_VALUE;
    }
  }

  /** Lowers OkHttp's call limit for {@code connection} to {@code limit}, as OkHttp itself will when its task runs. */
  private static void lowerCallLimit(Connection connection, int limit) {
    if (limit <= 0 || ConnectionGate.SET_ALLOCATION_LIMIT == null || ConnectionGate.ALLOCATION_LIMIT == null) return;
    try {
      synchronized (connection) { // OkHttp reads and writes the limit holding the connection's monitor
        if ((int) ConnectionGate.ALLOCATION_LIMIT.invokeExact(connection) > limit) {
          ConnectionGate.SET_ALLOCATION_LIMIT.invokeExact(connection, limit);
        }
      }
    } catch (Throwable e) {
      HttpEngine.LOG.debug("cannot lower the call limit of {}: {}", connection, e.toString());
    }
  }
}
