package dev.fanout.mock.internal;

import dev.fanout.mock.ConnectionStats;
import dev.fanout.mock.ReceivedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;

/**
 * The default engine: OkHttp's {@link MockWebServer}, one platform thread per open connection, with the
 * {@link Router} as its dispatcher and {@link Connections} as its server socket factory (a large backlog,
 * accepts that survive {@code Too many open files}, the idle timeout). A request becomes a {@link
 * ReceivedRequest} as the router dispatches it.
 *
 * <p>This engine owns the MockWebServer (its accept thread, connection threads and task runner) and
 * closes it in {@link #close()}.
 */
public final class MockWebServerEngine implements ServerEngine {
  private static final Logger MOCK_WEB_SERVER_LOG = Logger.getLogger(MockWebServer.class.getName());

  static {
    // MockWebServer warns on stderr about every connection that closes without a request (port
    // probes, clients that cancel before sending). That is normal traffic here.
    MOCK_WEB_SERVER_LOG.setLevel(Level.SEVERE);
  }

  private final MockWebServer server;
  private final Router router;
  private final Connections connections;
  private final InetSocketAddress address;
  private volatile boolean closed;

  /** Binds and starts; throws {@link UncheckedIOException} if it cannot bind. */
  public MockWebServerEngine(ServerConfig config, Decider decider, StatsRecorder stats, RequestLog log) {
    connections = new Connections(config.backlog(), config.idleTimeout(), config.http2PriorKnowledge());
    server = new MockWebServer();
    router = new Router(decider, stats, connections, config.http2PriorKnowledge(), log, this::dropServerLog);
    server.setDispatcher(router);
    server.setServerSocketFactory(connections.serverSocketFactory());
    server.setBodyLimit(config.maxBodyBytes() + 1);
    if (config.http2PriorKnowledge()) server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    try {
      server.start(InetAddress.getByName(config.host()), config.port());
    } catch (IOException e) {
      connections.killAll();
      server.close();
      throw new UncheckedIOException("cannot bind " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    address = new InetSocketAddress(server.getSocketAddress().getAddress(), server.getPort());
  }

  /** The request MockWebServer parsed, as the project's type (not yet numbered: see {@link RequestLog}). */
  static ReceivedRequest.Builder received(RecordedRequest r, boolean http2) {
    Protocol protocol = http2 || r.getVersion().startsWith("HTTP/2") ? Protocol.H2_PRIOR_KNOWLEDGE
        : "HTTP/1.0".equals(r.getVersion()) ? Protocol.HTTP_1_0 : Protocol.HTTP_1_1;
    byte[] body = r.getBody() == null ? new byte[0] : r.getBody().toByteArray();
    return ReceivedRequest.builder()
        .connectionIndex(r.getConnectionIndex())
        .exchangeIndex(r.getExchangeIndex())
        .method(r.getMethod())
        .target(r.getTarget())
        .url(r.getUrl())
        .protocol(protocol)
        .headers(r.getHeaders())
        .body(body)
        .bodySize(Math.max(r.getBodySize(), body.length));
  }

  /** MockWebServer keeps every request in an unbounded queue of its own; the backend keeps its own log. */
  private void dropServerLog() {
    try {
      while (server.takeRequest(0, TimeUnit.NANOSECONDS) != null) {
        // dropped: the RequestLog has it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public ConnectionStats connectionStats() {
    return connections.stats();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    router.beginClose();
    connections.killAll();
    server.close();
  }
}
