package dev.fanout.mock.internal;

import dev.fanout.mock.ConnectionStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

/**
 * One running server behind a {@code MockBackend}: MockWebServer ({@link MockWebServerEngine}) or Netty
 * ({@code netty.NettyServer}). Each serves the routes through the backend's {@link Decider}, counts into
 * its {@link StatsRecorder} and writes what it receives to its {@link RequestLog}; what differs between
 * them lives behind this interface. The engine owns its sockets and threads; {@link #close()} releases
 * them all and ends delayed and stalled responses at once.
 */
public interface ServerEngine extends AutoCloseable {
  /** The bound address (the real port when 0 was asked for). */
  InetSocketAddress address();

  /** Counters of the engine's connections: accepted, open, closed for idleness, failed accepts. */
  ConnectionStats connectionStats();

  /** Stops accepting, closes every connection and releases every thread; idempotent. */
  @Override
  void close();

  /**
   * The error of a server that could not bind {@code host:port}, with the reason in words: an address in use
   * says so ({@code Address already in use}); a host that is no address and no name this machine resolves
   * says that, where the JDK's message is only the host again (or, from Netty, nothing).
   */
  static UncheckedIOException bindFailure(String host, int port, Throwable cause) {
    IOException io = cause instanceof IOException e ? e : new IOException(cause.getMessage(), cause);
    String reason = cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException
        ? "not an IP address or a host name this machine resolves"
        : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    return new UncheckedIOException("cannot bind " + host + ":" + port + ": " + reason, io);
  }
}
