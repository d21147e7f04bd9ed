package dev.fanout.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.WeakHashMap;
import javax.net.ssl.SSLException;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Re-sends a request, once and at once, that failed on a reused keep-alive connection before any response
 * arrived, when re-sending is safe (issue 14, defect 2). Servers close idle keep-alive connections (Node.js
 * and uvicorn after 5 s, load balancers after 60 s); a request written to such a connection meets the
 * server's close and fails with "unexpected end of stream" although the server never read it. The SDK
 * turns OkHttp's own silent retry off (it re-sends any request, bounded by nothing the retry policy or the
 * trace sees), so without this each such request cost an attempt and a backoff, or failed the call when
 * retries were off.
 *
 * <h2>The rule (Go's {@code net/http}, {@code persistConn.shouldRetryRequest}).</h2>
 * A request is replayed when all of these hold:
 * <ul>
 *   <li>the connection was <b>reused</b>: it had already delivered a response (a fresh connection that fails
 *       says something about the server, not about an idle timeout; replaying it could loop);
 *   <li><b>no response</b> arrived for this request (no status line and headers): the server never answered;
 *   <li>the failure is an I/O error that is not a timeout or interrupt (a read timeout means the server may be
 *       working on it), not a protocol error (the server sent something) and not TLS, and the call was not
 *       cancelled;
 *   <li>the request is <b>replayable</b>: an idempotent method (RFC 9110 §9.2.2: {@code GET}, {@code HEAD},
 *       {@code OPTIONS}, {@code TRACE}, {@code PUT}, {@code DELETE}), or any method carrying an
 *       {@code Idempotency-Key} (or {@code X-Idempotency-Key}) header, as Go accepts; and its body, if any, can
 *       be written again (not one-shot).
 * </ul>
 * A {@code POST} without an idempotency key is not replayed: "no response" does not prove the server did
 * not act on it (it may have read it and died), and a chat completion sent twice is billed twice. Its
 * failure is an attempt like any other, which the retry policy decides.
 *
 * <h2>Attempts still equal server requests.</h2>
 * A replay is not an attempt: the failed request was, in the case this exists for, never read by the
 * server (it closed the connection before it arrived), so the server's count of requests equals the sum of
 * the attempts. The trace counts replays apart ({@link dev.fanout.CallTrace#replays()}). A server that
 * reads a request and then closes without answering would see one more request than the attempts: that is
 * why only replayable requests qualify.
 *
 * <h2>On a fresh connection.</h2>
 * The connections idle in the pool were most likely idled, and closed by the server, together with the one
 * that failed; before the replay this evicts the pool's idle connections (connections in use are not
 * touched), so the replay opens a new connection or takes one that has just served a response.
 *
 * <p>Installed as the last application interceptor ({@link #application()}) and the last network
 * interceptor ({@link #network()}); a replay does not run the caller's own application interceptors again.
 * Neither blocks: the replay is a second {@code proceed} on the same OkHttp thread.
 */
public final class StaleConnectionReplay {
  /** What the network side saw of one pass through the chain. */
  private static final class Probe {
    volatile boolean reusedConnection;
    volatile boolean responded;
  }

  /** Connections that have delivered a response at least once (weak keys: a closed connection goes away). */
  private final Set<Connection> served = Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));
  private final ConnectionPool pool;

  /** Replays over {@code pool}, whose idle connections it evicts before a replay. */
  public StaleConnectionReplay(ConnectionPool pool) {
    this.pool = pool;
  }

  /** The application interceptor that decides and replays. */
  public Interceptor application() {
    return chain -> {
      Request request = chain.request();
      Probe probe = new Probe();
      try {
        return chain.proceed(request.newBuilder().tag(Probe.class, probe).build());
      } catch (IOException e) {
        if (!probe.reusedConnection || probe.responded || chain.call().isCanceled()
            || !recoverable(e) || !replayable(request)) {
          throw e;
        }
        HttpEngine.LOG.debug("{} {}: a reused connection failed before any response ({}); sending it again on a fresh"
            + " connection", request.method(), Redaction.pathAndQuery(request.url()), e.getClass().getSimpleName());
        pool.evictAll();
        LogicalCall<?> owner = request.tag(LogicalCall.class);
        if (owner != null) {
          owner.replayed();
        }
        return chain.proceed(request);
      }
    };
  }

  /** The network interceptor that sees the connection and whether a response arrived on it. */
  public Interceptor network() {
    return chain -> {
      Probe probe = chain.request().tag(Probe.class);
      Connection connection = chain.connection();
      if (probe != null && connection != null) {
        probe.reusedConnection = served.contains(connection);
      }
      Response response = chain.proceed(chain.request());
      if (probe != null) {
        probe.responded = true;
      }
      if (connection != null) {
        served.add(connection);
      }
      return response;
    };
  }

  /** An I/O failure a closed idle connection causes, not one that says the server is slow or spoke. */
  static boolean recoverable(IOException e) {
    return !(e instanceof InterruptedIOException) && !(e instanceof ProtocolException) && !(e instanceof SSLException);
  }

  /** Idempotent by method (RFC 9110 §9.2.2) or by an idempotency key, with a body that can be sent again. */
  static boolean replayable(Request request) {
    RequestBody body = request.body();
    if (body != null && body.isOneShot()) {
      return false;
    }
    switch (request.method().toUpperCase(Locale.ROOT)) {
      case "GET":
      case "HEAD":
      case "OPTIONS":
      case "TRACE":
      case "PUT":
      case "DELETE":
        return true;
      default:
        return request.header("Idempotency-Key") != null || request.header("X-Idempotency-Key") != null;
    }
  }
}
