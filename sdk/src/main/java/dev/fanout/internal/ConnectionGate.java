package dev.fanout.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 *       last known limit, or {@link #ASSUMED_STREAM_LIMIT} before any is known). Above that, at most
 * *       {@link #MAX_PARALLEL_OPENS} call at a time goes to open a new connection, and only once every
 *       admitted call has its stream; the rest wait for it to be established. A call's stream counts until
 *       its response body is closed or read to the end.
 * </ol>
 * So the cold round opens one connection per stream limit of calls in flight, one after another (each a
 * handshake: a few milliseconds on a LAN, one round trip or two over the internet), and none is opened and
 * thrown away: two opened at once would race, and OkHttp coalesces the later onto the earlier and closes it.
 * A new connection's calls wait until OkHttp has applied its {@code SETTINGS} (at most {@link
 * #SETTINGS_WAIT_NANOS 250 ms}); before that OkHttp would put any number of streams on it and the server
 * refuse those above its limit. {@code SETTINGS} that announce no limit end the wait too, and the connection
 * then takes {@link #UNANNOUNCED_STREAM_LIMIT} streams. Cleartext {@code http} without prior-knowledge HTTP/2 is
 * HTTP/1.1 and passes untouched.
 *
 * <p>Waiting blocks the call's OkHttp thread (as its own connect would) and ends when the call is cancelled.
 * The per-host state lives as long as the client; a client calls one base URL, and hosts with nothing in
 * flight are dropped past {@value #MAX_HOSTS} hosts.
 */
final class ConnectionGate {
  /** Streams per HTTP/2 connection assumed until the server's limit is known: RFC 9113's recommended minimum. */
  static final int ASSUMED_STREAM_LIMIT = 100;
  /** Streams per HTTP/2 connection whose SETTINGS announce no limit (so it has none); Go's http2 takes 1,000 too. */
  static final int UNANNOUNCED_STREAM_LIMIT = 1_000;
  /** How many calls may open new HTTP/2 connections to one host at once (see the class doc for why one). */
  static final int MAX_PARALLEL_OPENS = 1;
  /** How long a waiting call waits for a new connection's {@code SETTINGS} before assuming a limit. */
  static final long SETTINGS_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** How often a waiting call looks whether it was cancelled. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long SETTINGS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final int MAX_HOSTS = 64;

  private static final MethodHandle ALLOCATION_LIMIT = handle("getAllocationLimit$okhttp", int.class);
  private static final MethodHandle NO_NEW_EXCHANGES = handle("getNoNewExchanges", boolean.class);

  private final boolean cleartextHttp2;
  private final Map<String, Host> hosts = new ConcurrentHashMap<>();

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
      Host host = host(url);
      GateTicket ticket = host.admit(chain);
      Response response;
      try {
        response = chain.proceed(request.newBuilder().tag(GateTicket.class, ticket).build());
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

  /** Returns the host's protocol once learned (for tests and logs); null before. */
  Protocol protocol(HttpUrl url) {
    Host h = hosts.get(key(url));
    return h == null ? null : h.protocol;
  }

  private Host host(HttpUrl url) {
    String key = key(url);
    Host h = hosts.get(key);
    if (h != null) return h;
    if (hosts.size() >= MAX_HOSTS) {
      hosts.values().removeIf(Host::isIdle);
    }
    return hosts.computeIfAbsent(key, k -> new Host(k));
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

  private static boolean isMultiplexed(Protocol p) {
    return p == Protocol.HTTP_2 || p == Protocol.H2_PRIOR_KNOWLEDGE;
  }

  /** One host's state; every field under {@link #lock}. */
  static final class Host {
    private final String key;
    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Null until the scout's connection is established. */
    volatile Protocol protocol;
    private GateTicket scout;
    /** Counts scouts: a call waiting for scout N fails with N's failure. */
    private long scoutRound;
    private long failedRound = -1;
    private Throwable scoutFailure;
    /** Admitted to a free stream, not yet given its connection. */
    private int pending;
    /** Admitted to open a connection, not yet given one. */
    private int opening;
    private int waiting;
    /** The last stream limit a connection of this host had; 0 before any. */
    private int knownLimit;
    /** The newest connection while its stream limit is unknown, and when it was seen (for the SETTINGS wait). */
    private Connection newest;
    private long newestConnectionNanos;
    /** True once a connection's limit stayed unknown for the whole wait: the server announces none. */
    private boolean silentLimit;
    /** The host's HTTP/2 connections, each with the admitted calls seated on it (streams not yet released). */
    private final Map<Connection, int[]> connections = new WeakHashMap<>();

    Host(String key) {
      this.key = key;
    }

    boolean isIdle() {
      lock.lock();
      try {
        if (opening > 0 || pending > 0 || waiting > 0 || scout != null) return false;
        for (int[] seated : connections.values()) {
          if (seated[0] > 0) return false;
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    GateTicket admit(Interceptor.Chain chain) throws IOException {
      lock.lock();
      try {
        long myRound = -1;
        boolean counted = false;
        try {
          while (true) {
            if (chain.call().isCanceled()) throw new IOException("Canceled");
            Protocol p = protocol;
            boolean settingsWait = false;
            if (p == null) {
              if (myRound >= 0 && failedRound == myRound) {
                throw new IOException("connecting to " + key + " failed for an earlier call of this fan-out: "
                    + scoutFailure, scoutFailure);
              }
              if (scout == null) {
                scout = new GateTicket(this, GateTicket.Kind.SCOUT);
                scoutRound++;
                return scout;
              }
              myRound = scoutRound;
            } else if (!isMultiplexed(p)) {
              return new GateTicket(this, GateTicket.Kind.PASS);
            } else if (newestLimitUnknown()) {
              settingsWait = true;
            } else {
              long free = freeStreams() - pending;
              if (free > 0) {
                pending++;
                return new GateTicket(this, GateTicket.Kind.STREAM);
              }
              // Only once every admitted call has its stream: before that, an opener could take the free
              // stream an admitted call is on its way to, and that call would open a connection of its own.
              if (opening < MAX_PARALLEL_OPENS && pending == 0) {
                opening++;
                HttpEngine.LOG.debug("{}: its {} HTTP/2 connection(s) are at their stream limits; opening another",
                    key, usableConnections());
                return new GateTicket(this, GateTicket.Kind.OPENER);
              }
            }
            if (!counted) {
              counted = true;
              waiting++;
            }

            try {
              // a new connection's SETTINGS come without a signal: look again soon
              changed.awaitNanos(settingsWait ? SETTINGS_POLL_NANOS : POLL_NANOS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted while waiting for a connection to " + key);
            }
          }
        } finally {
          if (counted) waiting--;
        }
      } finally {
        lock.unlock();
      }
    }

    /**
     * True while the newest connection's stream limit is unknown, for at most {@link #SETTINGS_WAIT_NANOS}:
     * until OkHttp applies its SETTINGS it would put any number of streams on it, and the server refuse those
     * above its limit.
     */
    private boolean newestLimitUnknown() {
      Connection c = newest;
      if (c == null) return false;
      int limit = streamLimit(c);
      if (limit > 0 || ALLOCATION_LIMIT == null || System.nanoTime() - newestConnectionNanos >= SETTINGS_WAIT_NANOS) {
        if (limit > 0) {
          knownLimit = limit;
        } else {
          silentLimit = true; // its SETTINGS (if any) announce no limit: do not wait on the next connections
        }
        newest = null;
        return false;
      }
      return true;
    }

    private int usableConnections() {
      int n = 0;
      for (Connection c : connections.keySet()) {
        if (usable(c)) n++;
      }
      return n;
    }

    private static boolean usable(Connection c) {
      if (c.socket().isClosed()) return false;
      if (NO_NEW_EXCHANGES == null) return true;
      try {
        return !(boolean) NO_NEW_EXCHANGES.invokeExact(c); // true after a GOAWAY or a failure
      } catch (Throwable e) {
        return true;
      }
    }

    /** Streams free on the host's usable connections: each one's limit less the calls seated on it. */
    private long freeStreams() {
      long free = 0;
      for (Map.Entry<Connection, int[]> e : connections.entrySet()) {
        Connection c = e.getKey();
        if (!usable(c)) continue;
        int limit = streamLimit(c);
        if (limit > 0) {
          knownLimit = limit;
        } else {
          limit = knownLimit > 0 ? knownLimit : ASSUMED_STREAM_LIMIT;
        }
        free += Math.max(0, limit - e.getValue()[0]);
      }
      return free;
    }

    void connected(GateTicket ticket, Connection connection) {
      lock.lock();
      try {
        if (ticket.seat != null) return; // a replay of the same call, already seated
        if (ticket.kind == GateTicket.Kind.SCOUT && protocol == null) {
          Protocol p = connection.protocol();
          protocol = p;
          scout = null;
          HttpEngine.LOG.debug("{}: first connection established, {}", key, p);
          if (!isMultiplexed(p)) {
            ticket.kind = GateTicket.Kind.PASS;
            changed.signalAll();
            return;
          }
        } else if (ticket.kind == GateTicket.Kind.OPENER) {
          opening--;
        } else if (ticket.kind == GateTicket.Kind.STREAM) {
          pending--;
        } else {
          return;
        }
        int[] seated = connections.get(connection);
        if (seated == null) {
          seated = new int[1];
          connections.put(connection, seated);
          newestConnectionNanos = System.nanoTime();
          newest = streamLimit(connection) > 0 || silentLimit ? null : connection;
        }
        seated[0]++;
        ticket.seat = seated;
        ticket.kind = GateTicket.Kind.STREAM;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** The call ended: failed, or its stream released. */
    void ended(GateTicket ticket, Throwable failure) {
      lock.lock();
      try {
        if (ticket.seat != null) {
          ticket.seat[0]--;
        } else if (ticket.kind == GateTicket.Kind.SCOUT) {
          if (scout == ticket) {
            scout = null;
            failedRound = scoutRound;
            scoutFailure = failure;
          }
        } else if (ticket.kind == GateTicket.Kind.OPENER) {
          opening--;
        } else if (ticket.kind == GateTicket.Kind.STREAM) {
          pending--;
        }
        ticket.kind = GateTicket.Kind.PASS;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
