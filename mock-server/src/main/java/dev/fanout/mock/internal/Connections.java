package dev.fanout.mock.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;

/**
 * The open connections of one backend, keyed by MockWebServer's connection index (its accept
 * order), and the server socket factory that creates them with a large accept backlog.
 *
 * <p>MockWebServer binds with a backlog of 50: a burst of a thousand connects overflows it and the
 * kernel drops SYNs, which costs the client a one-second retransmit. This factory's server socket
 * binds with {@code backlog} instead (the kernel caps it at {@code net.core.somaxconn}).
 *
 * <p>MockWebServer's connection handler crashes on some garbage (a request line it cannot parse, a bad
 * chunk size) and leaves the socket open, holding a file descriptor until the client goes, or forever if
 * it never does. A reaper closes such abandoned connections ({@link TrackedSocket#abandoned}) after
 * {@link #ABANDONED_GRACE}.
 */
public final class Connections {
  /** How long a connection nobody serves stays open before it is closed. */
  static final Duration ABANDONED_GRACE = Duration.ofSeconds(2);

  private final Map<Integer, TrackedSocket> open = new ConcurrentHashMap<>();
  private final int backlog;
  private final ScheduledExecutorService reaper;

  public Connections(int backlog) {
    this.backlog = backlog;
    this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mock-connection-reaper");
      t.setDaemon(true);
      return t;
    });
    reaper.scheduleWithFixedDelay(this::closeAbandoned, 500, 500, TimeUnit.MILLISECONDS);
  }

  private void closeAbandoned() {
    long now = System.nanoTime();
    for (TrackedSocket s : open.values()) {
      if (s.abandoned(now, ABANDONED_GRACE.toNanos())) s.kill();
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

  /** Kills every open connection and stops the reaper (used when the backend closes). */
  public void killAll() {
    reaper.shutdownNow();
    for (TrackedSocket s : open.values()) s.kill();
  }

  private final class TrackingServerSocket extends ServerSocket {
    private int nextIndex; // accept() is called from MockWebServer's single accept thread

    TrackingServerSocket() throws IOException {
      super();
    }

    @Override
    public void bind(SocketAddress endpoint, int requestedBacklog) throws IOException {
      super.bind(endpoint, Math.max(backlog, requestedBacklog));
    }

    @Override
    public Socket accept() throws IOException {
      if (isClosed()) throw new SocketException("Socket is closed");
      TrackedSocket socket = new TrackedSocket(nextIndex, Connections.this);
      implAccept(socket);
      nextIndex++;
      try {
        socket.setTcpNoDelay(true); // streamed chunks go out at once
      } catch (SocketException ignored) {
        // the client is already gone; MockWebServer will find out
      }
      open.put(socket.index(), socket);
      return socket;
    }
  }
}
