package dev.fanout.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Connection;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Holds a fan-out's calls to a host so that its first calls open the connections they need and no more.
 *
 * <h2>The problem: one TLS connection per waiting call.</h2>
 * OkHttp gives a call a pooled connection with a free stream, or opens a new one. On a cold pool every call
 * of a fan-out finds none, so each opens its own; HTTP/2 coalescing happens only after each handshake
 * completes, and the extra connections are closed. A 1,000-call fan-out over TLS opened about 100 connections
 * that way and kept a handful. Go's {@code http2.Transport} instead waits for a dialing connection
 * ({@code ClientConnPool} shares one dial per host) and opens a new one only when every connection is at the
 * peer's {@code SETTINGS_MAX_CONCURRENT_STREAMS}.
 *
 * <h2>The rule</h2>
 * Per host (scheme, host, port), as an application interceptor in front of OkHttp's connection finding:
 * <ol>
 *   <li>The first call goes alone (the scout); the rest wait until its connection is established, which
 *       tells the protocol. If the scout fails before it has a connection, the calls that waited for it fail
 *       with its failure as the cause (each is an attempt their retry policy decides on), instead of each
 *       paying the same failed connect.
 *   <li>HTTP/1.1: every call goes at once, as without the gate (a connection per call in flight).
 *   <li>HTTP/2: calls go while the host's calls in flight fit the streams of its known connections (each
 *       connection's stream limit as OkHttp learned it from the server's {@code SETTINGS}, or the host's
 *       last known limit, or {@link #ASSUMED_STREAM_LIMIT} before any is known), each admitted to one
 *       connection's stream. Above that, as many calls as the waiting ones need at that limit (at most {@link
 *       #MAX_PARALLEL_OPENS}) go to open new connections at once; the rest wait for them. A call's stream counts
 *       until its response body is closed or read to the end.
 * </ol>
 * Two calls that open connections to one {@link okhttp3.Address} at once race: when the later handshake ends,
 * OkHttp finds the earlier connection's free streams, moves its call there and closes its own (HTTP/2
 * coalescing). So each opener goes on a {@link GateLane} of its own, the host's address with a {@code Dns} of
 * its own (the client's, wrapped), which OkHttp pools apart, and a call admitted to a stream goes on that
 * stream's connection's lane ({@code withDns} on its chain). The cold round thus opens one connection per
 * stream limit of calls in flight, all at once: one handshake's time instead of one per connection (a few
 * milliseconds each on a LAN, a round trip or two over the internet). Lanes are reused once their
 * connections are gone; past {@link #MAX_LANES}, one call at a time opens a connection on the host's own
 * address, once every admitted call has its stream. OkHttp also closes a new connection, unused, when a stream
 * of an older one on its lane has come free by the end of its handshake (its call takes that stream instead);
 * each costs a handshake, but no attempt and no refused stream.
 * The host's first HTTP/2 connection's calls wait until OkHttp has applied its {@code SETTINGS} (at most
 * {@link #SETTINGS_WAIT_NANOS 250 ms}); before that OkHttp would put any number of streams on it and the
 * server refuse those above its limit. {@code SETTINGS} that announce no limit end the wait too, and the
 * connection then takes {@link #UNANNOUNCED_STREAM_LIMIT} streams. Later connections do not wait: until their
 * own {@code SETTINGS} are applied they take the limit the host's earlier ones announced (Go's transport, too,
 * assumes a limit rather than wait), and streams a server refuses above a lower limit are sent again. OkHttp
 * is made to keep the limit the gate counts for a connection ({@link #enforceStreamLimit}): OkHttp applies
 * {@code SETTINGS} some time after they arrive, and until then gives a connection any call it places, so calls
 * the gate admitted for the free streams of one connection piled onto another and were refused. Cleartext
 * {@code http} without prior-knowledge HTTP/2 is HTTP/1.1 and passes untouched.
 *
 * <p>Waiting blocks the call's OkHttp thread (as its own connect would) and ends within {@link #POLL_NANOS
 * 100 ms} of the call's cancel. Waiting calls queue first come first served, and each change that frees a
 * stream or tells the protocol wakes only the calls it admits, so a cold fan-out of any size costs each call
 * one wake-up (see {@link GateHost}).
 * The per-host state lives as long as the client; a client calls one base URL, and hosts with nothing in
 * flight are dropped past {@value #MAX_HOSTS} hosts.
 */
final class ConnectionGate {
  /** Streams per HTTP/2 connection assumed until the server's limit is known: RFC 9113's recommended minimum. */
  static final int ASSUMED_STREAM_LIMIT = 100;
  /** Streams per HTTP/2 connection whose SETTINGS announce no limit (so it has none); Go's http2 takes 1,000 too. */
  static final int UNANNOUNCED_STREAM_LIMIT = 1_000;
  /** How many calls may open new HTTP/2 connections to one host at once, each on a lane of its own. */
  static final int MAX_PARALLEL_OPENS = 16;
  /** Lanes per host at most: past that, one call at a time opens a connection, on the host's first address. */
  static final int MAX_LANES = 256;
  /** How long a waiting call waits for a new connection's {@code SETTINGS} before assuming a limit. */
  static final long SETTINGS_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** How often a waiting call looks whether it was cancelled; admission wakes it at once. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** How often the first waiting call looks whether a new connection's SETTINGS have come (they bring no signal). */
  static final long SETTINGS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final int MAX_HOSTS = 64;

  static final MethodHandle ALLOCATION_LIMIT = handle("getAllocationLimit$okhttp", int.class);
  static final MethodHandle NO_NEW_EXCHANGES = handle("getNoNewExchanges", boolean.class);
  static final MethodHandle IS_HEALTHY = healthCheck();
  static final MethodHandle SET_ALLOCATION_LIMIT = allocationLimitSetter();

  private final boolean cleartextHttp2;
  private final Map<String, GateHost> hosts = new ConcurrentHashMap<>();

  /** {@code cleartextHttp2}: the client speaks HTTP/2 with prior knowledge over {@code http}. */
  public ConnectionGate(boolean cleartextHttp2) {
    this.cleartextHttp2 = cleartextHttp2;
  }

  /** The application interceptor: admits each call under the rule above; install it first. */
  public Interceptor application() {
    return chain -> {
      Request request = chain.request();
      HttpUrl url = request.url();
      if (!url.isHttps() && !cleartextHttp2) {
        return chain.proceed(request);
      }
      GateHost host = host(url);
      GateTicket ticket = host.admit(chain);
      Response response;
      try {
        response = ticket.onLane(chain).proceed(request.newBuilder().tag(GateTicket.class, ticket).build());
      } catch (IOException | RuntimeException | Error e) {
        ticket.failed(e);
        throw e;
      }
      return ticket.holdsStream() ? ticket.releaseOnClose(response) : response;
    };
  }

  /** The network interceptor: tells each call's ticket which connection it was given. */
  public Interceptor network() {
    return chain -> {
      GateTicket ticket = chain.request().tag(GateTicket.class);
      Connection connection = chain.connection();
      if (ticket != null && connection != null) {
        ticket.connected(connection);
      }
      return chain.proceed(chain.request());
    };
  }

  /** Returns how many new connections' SETTINGS the host's calls waited for (for tests). */
  int settingsWaits(HttpUrl url) {
    GateHost h = hosts.get(key(url));
    return h == null ? 0 : h.settingsWaits();
  }

  /** Returns how many calls to the host wait in the gate (for tests). */
  int waiting(HttpUrl url) {
    GateHost h = hosts.get(key(url));
    return h == null ? 0 : h.waiting();
  }

  private GateHost host(HttpUrl url) {
    String key = key(url);
    GateHost h = hosts.get(key);
    if (h != null) return h;
    if (hosts.size() >= MAX_HOSTS) {
      hosts.values().removeIf(GateHost::isIdle);
    }
    return hosts.computeIfAbsent(key,
        k -> new GateHost(k, ConnectionGate::streamLimit, ConnectionGate::enforceStreamLimit, ConnectionGate::usable,
            System::nanoTime));
  }

  private static String key(HttpUrl url) {
    return url.scheme() + "://" + url.host() + ":" + url.port();
  }

  /**
   * A getter of OkHttp's connection class, which OkHttp does not export as API: on the class path it is
   * there; where it is not (a module path, another OkHttp), the gate assumes {@link #ASSUMED_STREAM_LIMIT}
   * and counts every open connection as usable.
   */
  private static MethodHandle handle(String name, Class<?> type) {
    try {
      Class<?> real = Class.forName("okhttp3.internal.connection.RealConnection");
      return MethodHandles.publicLookup().findVirtual(real, name, MethodType.methodType(type))
          .asType(MethodType.methodType(type, Connection.class));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      HttpEngine.LOG.debug("OkHttp's connection has no accessible {} here ({}); assuming {} streams per HTTP/2 "
          + "connection", name, e.toString(), ASSUMED_STREAM_LIMIT);
      return null;
    }
  }

  /**
   * OkHttp's connection health check without I/O ({@code isHealthy(false)}: its sockets are open and, for HTTP/2,
   * no GOAWAY has come and no ping is overdue); null where it cannot be reached.
   */
  private static MethodHandle healthCheck() {
    try {
      Class<?> real = Class.forName("okhttp3.internal.connection.RealConnection");
      return MethodHandles.publicLookup()
          .findVirtual(real, "isHealthy", MethodType.methodType(boolean.class, boolean.class))
          .asType(MethodType.methodType(boolean.class, Connection.class, boolean.class));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      HttpEngine.LOG.debug("OkHttp's connection health check is not accessible here ({}); a connection a GOAWAY "
          + "closed counts as usable until OkHttp next looks at it", e.toString());
      return null;
    }
  }

  /**
   * True while new streams can go on {@code connection}: its socket is open, OkHttp has not stopped giving it
   * calls (after a failure), and no GOAWAY has come. OkHttp marks a connection that received a GOAWAY only when a
   * call next asks its pool for it, so without the health check the gate counted such a connection's free
   * streams, admitted calls to them, and those calls opened connections of their own outside the gate.
   */
  static boolean usable(Connection c) {
    if (c.socket().isClosed()) return false;
    try {
      if (NO_NEW_EXCHANGES != null && (boolean) NO_NEW_EXCHANGES.invokeExact(c)) return false;
      return IS_HEALTHY == null || (boolean) IS_HEALTHY.invokeExact(c, false);
    } catch (Throwable e) {
      return true;
    }
  }

  /**
   * The setter of OkHttp's per-connection call limit, which OkHttp keeps private; null where it cannot be
   * reached (then OkHttp puts any number of calls on a connection until it has applied its SETTINGS).
   */
  private static MethodHandle allocationLimitSetter() {
    try {
      Class<?> real = Class.forName("okhttp3.internal.connection.RealConnection");
      return MethodHandles.privateLookupIn(real, MethodHandles.lookup()).findSetter(real, "allocationLimit", int.class)
          .asType(MethodType.methodType(void.class, Connection.class, int.class));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      HttpEngine.LOG.debug("OkHttp's connection call limit cannot be set here ({}); a new HTTP/2 connection may "
          + "be given more calls than its server's stream limit before its SETTINGS are applied", e.toString());
      return null;
    }
  }

  /**
   * Makes OkHttp give {@code connection} at most {@code limit} calls while it has no limit of its own for it.
   * OkHttp applies a server's {@code SETTINGS} to a connection's call limit on a task of its own, some time after
   * they arrive (tens of milliseconds on a busy machine); until then it puts any call it has to place on that
   * connection, whatever the number the gate admitted for it, and the server refuses the streams above its limit.
   * OkHttp's own {@code SETTINGS} applied later overwrite this value (under the same monitor).
   */
  static void enforceStreamLimit(Connection connection, int limit) {
    if (SET_ALLOCATION_LIMIT == null || ALLOCATION_LIMIT == null) return;
    try {
      synchronized (connection) { // OkHttp reads and writes the limit holding the connection's monitor
        if ((int) ALLOCATION_LIMIT.invokeExact(connection) == Integer.MAX_VALUE) {
          SET_ALLOCATION_LIMIT.invokeExact(connection, limit);
        }
      }
    } catch (Throwable e) {
      HttpEngine.LOG.debug("cannot set the call limit of {}: {}", connection, e.toString());
    }
  }

  /** The stream limit the server's SETTINGS give: the one announced, or the unannounced one; 0 if not known yet. */
  static int streamLimit(Connection connection) {
    int announced = PeerSettings.maxConcurrentStreams(connection);
    if (announced == PeerSettings.NONE_ANNOUNCED) return UNANNOUNCED_STREAM_LIMIT;
    if (announced > 0) return announced;
    if (ALLOCATION_LIMIT == null) return 0;
    try {
      int limit = (int) ALLOCATION_LIMIT.invokeExact(connection);
      // before the server's SETTINGS (or without a limit in them) OkHttp has Integer.MAX_VALUE
      return limit <= 0 || limit == Integer.MAX_VALUE ? 0 : limit;
    } catch (Throwable e) {
      HttpEngine.LOG.debug("cannot read the stream limit of {}: {}", connection, e.toString());
      return 0;
    }
  }

  static boolean isMultiplexed(Protocol p) {
    return p == Protocol.HTTP_2 || p == Protocol.H2_PRIOR_KNOWLEDGE;
  }
}
