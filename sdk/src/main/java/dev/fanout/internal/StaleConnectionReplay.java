package dev.fanout.internal;

import dev.fanout.FanoutClock;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends a request again, once and at once, on a fresh connection when the pooled keep-alive connection it
 * was given turns out, before the request is written, to have been closed by the server. Servers close idle
 * keep-alive connections (Node.js and uvicorn after 5 s, load balancers after 60 s);
 * the client's pool does not notice, so the next request written to such a connection meets the close and
 * fails with "unexpected end of stream". The SDK turns OkHttp's own silent retry off (it re-sends any request
 * whose body is not one-shot, bounded by nothing the retry policy or the trace sees), so without this each
 * such request cost an attempt and a backoff, or failed the call when retries were off.
 *
 * <h2>The rule: only a request the server provably never saw.</h2>
 * Before a request is written to a reused HTTP/1 connection that has been idle for
 * {@link #CHECK_AFTER_IDLE_NANOS 250 ms} or more on the client's clock, the connection is read for at most
 * 1 ms (OkHttp's own health check, which OkHttp runs only for non-{@code GET} requests after 10 s idle).
 * End of stream, a reset, or bytes the server sent unasked mean the server has closed it: the request is not
 * written there, the connection is closed, the pool's other idle connections (idled, and most likely closed,
 * along with it) are evicted, and the request goes out on a fresh connection. Nothing of it reached the server, so this
 * is safe for every method, {@code POST} included, and it is not an attempt: the server's count of requests
 * still equals the sum of the attempts. It is told to the request's {@link CallEvents.Leg} as a replay: the
 * trace ({@link dev.fanout.CallTrace#replays()}), the client's stats and its spans count it apart.
 *
 * <p>This is Go's {@code net/http} distinction, not OkHttp's: Go re-sends on a new connection a request
 * that failed with {@code nothingWrittenError} or on a connection its reader saw the server close while idle
 * ({@code errServerClosedIdle}), and re-sends a request that may have been written only if it is
 * replayable (idempotent, or with an {@code Idempotency-Key}). The SDK does not do the last: a request
 * written to a connection that then fails may have been read by the server (the race of a close that
 * crosses the request, or a server that reads and dies), and re-sending it outside the attempt count would
 * make the server see requests no attempt shows. That failure stays an attempt, which the retry policy
 * decides; {@link dev.fanout.FanoutClient.Builder#keepAlive} closing idle connections before servers do keeps
 * it rare.
 *
 * <p>A reused connection to an HTTP proxy that forwards plain-HTTP requests is checked however short its idle:
 * a proxy that keeps no client connections (tinyproxy) closes each right after its response, without
 * {@code Connection: close}, and the next request would meet that close within milliseconds.
 *
 * <p>HTTP/2 connections are not probed (OkHttp reads them continuously and handles {@code GOAWAY}). A check
 * of a healthy connection costs up to 1 ms on the OkHttp thread, once per connection per idle period.
 * Installed as the last application interceptor ({@link #application()}) and the last network interceptor
 * ({@link #network()}); a replay does not run the caller's own application interceptors again.
 */
final class StaleConnectionReplay {
  /** A pooled connection idle this long is checked before a request is written to it: 250 ms. */
  static final long CHECK_AFTER_IDLE_NANOS = 250_000_000L;

  /** The request was not written: the connection was found closed by the server first. */
  static final class StaleConnectionException extends IOException {
    StaleConnectionException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Stripes of {@link #lastResponse}: every response writes it, so one lock would serialize the calls. */
  private static final int STRIPES = 16;

  /**
   * When each connection last delivered a response (the client's {@link FanoutClock#nanoTime()}); a
   * connection in it has been used, so a request given it is given a reused one. Weak keys: a closed
   * connection drops out. Striped by the connection's identity.
   */
  @SuppressWarnings("unchecked")
  private final Map<Connection, Long>[] lastResponse = new Map[STRIPES];
  private final ConnectionPool pool;
  private final FanoutClock clock;

  /**
   * Replays over {@code pool}, whose idle connections it evicts before a replay; a connection's idle time is
   * read on {@code clock}, the client's.
   */
  public StaleConnectionReplay(ConnectionPool pool, FanoutClock clock) {
    this.pool = pool;
    this.clock = clock;
    for (int i = 0; i < STRIPES; i++) {
      lastResponse[i] = Collections.synchronizedMap(new WeakHashMap<>());
    }
  }

  private Map<Connection, Long> lastResponse(Connection connection) {
    return lastResponse[System.identityHashCode(connection) & (STRIPES - 1)];
  }

  /** The application interceptor that replays a request the network side refused to write. */
  public Interceptor application() {
    return chain -> {
      Request request = chain.request();
      try {
        return chain.proceed(request);
      } catch (StaleConnectionException e) {
        if (chain.call().isCanceled()) {
          throw e;
        }
        HttpEngine.LOG.debug("{} {}: {}; sending it on a fresh connection", request.method(),
            Redaction.pathAndQuery(request), e.getMessage());
        pool.evictAll();
        CallEvents.Leg leg = request.tag(CallEvents.Leg.class);
        if (leg != null) {
          leg.replayed();
        }
        return chain.proceed(request);
      }
    };
  }

  /** The network interceptor that checks a long-idle reused connection before the request is written. */
  public Interceptor network() {
    return chain -> {
      Connection connection = chain.connection();
      if (connection != null) {
        Long last = lastResponse(connection).get(connection);
        // only HTTP/1 ones are in it
        if (last != null && (clock.nanoTime() - last >= CHECK_AFTER_IDLE_NANOS || viaPlainProxy(connection))) {
          String closed = closedByPeer(connection.socket());
          if (closed != null) {
            lastResponse(connection).remove(connection);
            throw new StaleConnectionException("the server closed this idle keep-alive connection (" + closed
                + ") before the request was written", null);
          }
        }
      }
      Response response = chain.proceed(chain.request());
      if (connection != null && isHttp1(connection.protocol())) { // only HTTP/1 connections are ever checked
        lastResponse(connection).put(connection, clock.nanoTime());
      }
      return response;
    };
  }

  /**
   * Whether {@code connection} is to an HTTP proxy that forwards the requests (plain HTTP, no tunnel): checked
   * whatever its idle, as proxies that keep no client connections (tinyproxy) close each one right after its
   * response without saying {@code Connection: close}.
   */
  private static boolean viaPlainProxy(Connection connection) {
    return connection.route().proxy().type() == java.net.Proxy.Type.HTTP && !connection.route().requiresTunnel();
  }

  private static boolean isHttp1(Protocol protocol) {
    return protocol == Protocol.HTTP_1_1 || protocol == Protocol.HTTP_1_0;
  }

  /**
   * Reads {@code socket} for at most 1 ms; returns why it is unusable (end of stream, an error, unasked-for
   * bytes), or null if the read timed out: the server is silent and the connection open. A byte read here is
   * lost, which is fine: a server that talks on an idle HTTP/1 connection has broken it anyway.
   */
  static String closedByPeer(Socket socket) {
    int timeout;
    try {
      timeout = socket.getSoTimeout();
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
    try {
      socket.setSoTimeout(1);
      int b = socket.getInputStream().read();
      return b < 0 ? "end of stream" : "it sent data unasked";
    } catch (SocketTimeoutException healthy) {
      return null;
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    } finally {
      try {
        socket.setSoTimeout(timeout);
      } catch (IOException ignored) {
        // closed meanwhile: the request's own write will fail
      }
    }
  }
}
