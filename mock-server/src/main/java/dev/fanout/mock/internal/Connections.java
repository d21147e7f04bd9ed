package dev.fanout.mock.internal;

import dev.fanout.mock.ConnectionStats;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ServerSocketFactory;
import org.slf4j.LoggerFactory;

/**
 * The open connections of one backend, keyed by MockWebServer's connection index (its accept
 * order), and the server socket factory that creates them with a large accept backlog.
 *
 * <p>MockWebServer binds with a backlog of 50: a burst of a thousand connects overflows it and the
 * kernel drops SYNs, which costs the client a one-second retransmit. This factory's server socket
 * binds with {@code backlog} instead (the kernel caps it at {@code net.core.somaxconn}).
 *
 * <p>MockWebServer's connection handler crashes on some garbage (a request line it cannot parse, a bad
 * chunk size), logs it as SEVERE and leaves the socket open: a file descriptor held until the client
 * goes, or for ever. A handler on that log closes the connection the crashing thread was serving.
 *
 * <h2>Accept never ends while the backend is open.</h2>
 * MockWebServer's accept loop ends for good, silently, on the first failed {@code accept()} (a {@code
 * SocketException} such as {@code Too many open files} ends it at FINE level; any other exception at
 * WARNING, and it then closes every open connection). This factory's server socket retries a failed
 * accept instead, backing off from {@value #FIRST_BACKOFF_MILLIS} ms, doubling up to {@value
 * #MAX_BACKOFF_MILLIS} ms, and logs once per episode (a WARN at the first failure, an INFO when accepts
 * succeed again), like Netty's acceptor and Tomcat's. Only {@code close()} ends it.
 *
 * <h2>Idle connections are closed after the idle timeout.</h2>
 * With an idle timeout, a connection that, after its last response, carries no request and has read and
 * written nothing for that long is closed by the server (a FIN, like Node.js's {@code keepAliveTimeout} or nginx's {@code
 * keepalive_timeout}); one timer task per connection on one daemon thread, re-armed to the connection's
 * last activity.
 */
public final class Connections {
  /** MockWebServer's logger; kept here so the handler below stays attached to a live logger. */
  private static final Logger SERVER_LOG = Logger.getLogger("mockwebserver3.MockWebServer");

  /** The first wait after a failed accept. */
  static final long FIRST_BACKOFF_MILLIS = 10;
  /** The longest wait between retries of a failing accept. */
  static final long MAX_BACKOFF_MILLIS = 500;
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(Connections.class);

  private final Map<Integer, TrackedSocket> open = new ConcurrentHashMap<>();
  private final int backlog;
  private final boolean http2;
  private final long idleNanos; // 0: never close idle connections
  private final ScheduledThreadPoolExecutor idleTimer; // null without an idle timeout
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong idleClosed = new AtomicLong();
  private final AtomicLong acceptFailures = new AtomicLong();
  private final Handler crashes = new Handler() {
    @Override
    public void publish(LogRecord record) {
      String message = record.getMessage();
      if (record.getLevel() != Level.SEVERE || message == null || !message.contains("crashed")) return;
      // Logged on the crashing connection's own thread: close the socket that thread was serving.
      Thread thread = Thread.currentThread();
      for (TrackedSocket s : open.values()) {
        if (s.servedBy(thread)) s.kill();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  public Connections(int backlog, Duration idleTimeout, boolean http2) {
    this.backlog = backlog;
    this.http2 = http2;
    this.idleNanos = idleTimeout.toNanos();
    if (idleNanos > 0) {
      idleTimer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "fanout-mock-idle-timeout");
        t.setDaemon(true);
        return t;
      });
      idleTimer.setRemoveOnCancelPolicy(true);
    } else {
      idleTimer = null;
    }
    SERVER_LOG.addHandler(crashes);
  }

  public ConnectionStats stats() {
    return new ConnectionStats(accepted.get(), open.size(), idleClosed.get(), acceptFailures.get());
  }

  /** Checks {@code s} for idleness now, and re-arms its timer to its last activity plus the idle timeout. */
  private void checkIdle(TrackedSocket s) {
    if (s.isKilled() || s.isClosed()) return;
    long delay = idleNanos;
    // Bytes the client sent that no thread has read yet (its handler has not started, under a burst of
    // connects) mean a request is waiting, not an idle connection.
    if (!s.busy() && !s.hasUnreadInput()) {
      long idleFor = System.nanoTime() - s.lastActivityNanos();
      if (idleFor >= idleNanos) {
        idleClosed.incrementAndGet();
        s.kill(); // a FIN; MockWebServer's read sees end of stream and ends the connection
        return;
      }
      delay = idleNanos - idleFor;
    }
    scheduleIdleCheck(s, delay);
  }

  private void scheduleIdleCheck(TrackedSocket s, long nanos) {
    try {
      idleTimer.schedule(() -> checkIdle(s), nanos, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the backend is closing and kills every connection itself
    }
  }

  public ServerSocketFactory serverSocketFactory() {
    return new ServerSocketFactory() {
      @Override
      public ServerSocket createServerSocket() throws IOException {
        return new TrackingServerSocket();
      }

      @Override
      public ServerSocket createServerSocket(int port) throws IOException {
        ServerSocket s = createServerSocket();
        s.bind(new java.net.InetSocketAddress(port));
        return s;
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port);
      }

      @Override
      public ServerSocket createServerSocket(int port, int backlog, java.net.InetAddress address)
          throws IOException {
        ServerSocket s = createServerSocket();
        s.bind(new java.net.InetSocketAddress(address, port));
        return s;
      }
    };
  }

  /** The connection with MockWebServer's {@code connectionIndex}, or null if it is closed. */
  TrackedSocket get(int connectionIndex) {
    return open.get(connectionIndex);
  }

  void remove(TrackedSocket socket) {
    open.remove(socket.index(), socket);
  }

  public int openCount() {
    return open.size();
  }

  /** Kills every open connection (used when the backend closes). */
  public void killAll() {
    SERVER_LOG.removeHandler(crashes);
    if (idleTimer != null) idleTimer.shutdownNow();
    for (TrackedSocket s : open.values()) s.kill();
  }

  private final class TrackingServerSocket extends ServerSocket {
    private final Object closing = new Object();
    private int nextIndex; // accept() is called from MockWebServer's single accept thread

    TrackingServerSocket() throws IOException {
      super();
    }

    @Override
    public void bind(SocketAddress endpoint, int requestedBacklog) throws IOException {
      super.bind(endpoint, Math.max(backlog, requestedBacklog));
    }

    /**
     * Accepts the next connection, retrying failed accepts with a back-off until one succeeds or this
     * socket is closed (then a SocketException ends MockWebServer's loop, as it expects). Everything the
     * failure path needs is loaded before the first failure: with no file descriptor left, loading a class
     * from a directory fails too.
     */
    @Override
    public Socket accept() throws IOException {
      long backoffMillis = FIRST_BACKOFF_MILLIS;
      long failures = 0;
      long firstFailureNanos = 0;
      while (true) {
        if (isClosed()) throw new SocketException("Socket is closed");
        TrackedSocket socket = new TrackedSocket(nextIndex, Connections.this, !http2);
        try {
          implAccept(socket);
        } catch (IOException e) {
          if (isClosed()) throw new SocketException("Socket is closed");
          acceptFailures.incrementAndGet();
          if (failures++ == 0) {
            firstFailureNanos = System.nanoTime();
            log.warn("mock server: accept failed ({}); retrying with a back-off of {} ms doubling to {} ms, "
                + "logged again only when accepts succeed", e.getMessage(), FIRST_BACKOFF_MILLIS, MAX_BACKOFF_MILLIS);
          }
          pause(backoffMillis);
          backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
          continue;
        }
        if (failures > 0) {
          log.info("mock server: accepting connections again after {} failed accepts over {} ms", failures,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstFailureNanos));
        }
        nextIndex++;
        accepted.incrementAndGet();
        try {
          socket.setTcpNoDelay(true); // streamed chunks go out at once
        } catch (SocketException ignored) {
          // the client is already gone; MockWebServer will find out
        }
        open.put(socket.index(), socket);
        if (idleTimer != null) scheduleIdleCheck(socket, idleNanos);
        return socket;
      }
    }

    /** Waits {@code millis}, or less if this socket is closed meanwhile. */
    private void pause(long millis) throws IOException {
      synchronized (closing) {
        if (isClosed()) return;
        try {
          closing.wait(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while backing off a failed accept");
        }
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        synchronized (closing) {
          closing.notifyAll();
        }
      }
    }
  }
}
