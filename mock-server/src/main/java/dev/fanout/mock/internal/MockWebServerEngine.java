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
 * <p>With TLS it offers HTTP/2 and HTTP/1.1 by ALPN. MockWebServer announces no HTTP/2 stream limit and
 * closes its sockets on shutdown without a {@code GOAWAY}; the Netty engine does both. Over TLS the faults
 * that act on the raw socket (a disconnect mid-body, the idle timeout) act as they do for h2c.
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
    // Byte-level faults and the idle timer act on the raw socket, which only cleartext HTTP/1.1 exposes.
    boolean notRawHttp1 = config.http2PriorKnowledge() || config.tls().isPresent();
    connections = new Connections(config.backlog(), config.idleTimeout(), notRawHttp1);
    server = new MockWebServer();
    router = new Router(decider, stats, connections, config.http2PriorKnowledge(), !notRawHttp1, log, this::dropServerLog);
    server.setDispatcher(router);
    server.setServerSocketFactory(connections.serverSocketFactory());
    server.setBodyLimit(config.maxBodyBytes() + 1);
    if (config.http2PriorKnowledge()) server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    config.tls().ifPresent(tls -> {
      server.useHttps(tls.serverHandshake().sslSocketFactory());
      server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)); // offered by ALPN
    });
    try {
      server.start(InetAddress.getByName(config.host()), config.port());
    } catch (IOException e) {
      connections.killAll();
      server.close();
      throw ServerEngine.bindFailure(config.host(), config.port(), e);
    }
    address = new InetSocketAddress(server.getSocketAddress().getAddress(), server.getPort());
  }

  /** The request MockWebServer parsed, as the project's type (not yet numbered: see {@link RequestLog}). */
  static ReceivedRequest.Builder received(RecordedRequest r, boolean http2) {
    Protocol protocol = http2 ? Protocol.H2_PRIOR_KNOWLEDGE
        : r.getVersion().startsWith("HTTP/2") ? Protocol.HTTP_2
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
