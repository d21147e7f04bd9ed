package dev.fanout.mock.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
 * chunk size), logs it as SEVERE and leaves the socket open: a file descriptor held until the client
 * goes, or for ever. A handler on that log closes the connection the crashing thread was serving.
 */
public final class Connections {
  /** MockWebServer's logger; kept here so the handler below stays attached to a live logger. */
  private static final Logger SERVER_LOG = Logger.getLogger("mockwebserver3.MockWebServer");

  private final Map<Integer, TrackedSocket> open = new ConcurrentHashMap<>();
  private final int backlog;
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

  public Connections(int backlog) {
    this.backlog = backlog;
    SERVER_LOG.addHandler(crashes);
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
