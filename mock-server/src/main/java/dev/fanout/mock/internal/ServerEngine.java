package dev.fanout.mock.internal;

import dev.fanout.mock.ConnectionStats;
import java.net.InetSocketAddress;

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
}
