package dev.fanout.mock;

import dev.fanout.common.Durations;
import dev.fanout.mock.internal.Decider;
import dev.fanout.mock.internal.MockWebServerEngine;
import dev.fanout.mock.internal.RequestLog;
import dev.fanout.mock.internal.ServerConfig;
import dev.fanout.mock.internal.ServerEngine;
import dev.fanout.mock.internal.StatsRecorder;
import dev.fanout.mock.internal.netty.NettyServer;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;

/**
 * A mock backend is a running set of simulated latency-bound services on one server ({@link
 * MockWebServer} by default, or Netty: see {@link Engine}):
 * users ({@code GET /users/{id}}), OpenAI-compatible chat completions ({@code POST
 * /v1/chat/completions}, {@code GET /v1/models}), retrieval ({@code GET /search?q=&k=}) and admin
 * ({@code GET /__admin/stats}, {@code POST /__admin/reset}), each answering after its {@link
 * Latency} and injecting its {@link Faults}.
 *
 * <pre>{@code
 * try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofMillis(100))).start()) {
 *   String url = backend.url() + "/users/7";
 *   ...
 *   assertThat(backend.stats().maxInFlight()).isEqualTo(200);
 * }
 * }</pre>
 *
 * <p>It runs on MockWebServer by default; {@link Builder#engine(Engine) engine(Engine.NETTY)} serves the
 * same routes, latency model and faults from Netty's event loops instead, for tens of thousands of
 * concurrent requests (see {@link Engine}).
 *
 * <h2>The backend must be closed.</h2>
 * It owns its server socket and its threads (MockWebServer: one platform thread per open connection and
 * its task runner; Netty: its event loops); {@link #close()} releases them all, and ends delayed and
 * stalled responses at once.
 *
 * <p>Requests are not kept without limit: the last {@link Builder#recordedRequests(int)} are
 * available from {@link #takeRequest(long, TimeUnit)}, older ones are dropped, so a backend can
 * serve indefinitely.
 */
public final class MockBackend implements AutoCloseable {
  /** The default interface to bind: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The default port: any free one. */
  public static final int DEFAULT_PORT = 0;
  /** The default accept backlog; MockWebServer's own is 50. The kernel caps it at {@code somaxconn}. */
  public static final int DEFAULT_BACKLOG = 4096;
  /** The default largest request body accepted; larger ones get 413. */
  public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
  /** The default server engine: MockWebServer. */
  public static final Engine DEFAULT_ENGINE = Engine.MOCKWEBSERVER;
  /** The default number of recorded requests kept for {@link #takeRequest(long, TimeUnit)}. */
  public static final int DEFAULT_RECORDED_REQUESTS = 1000;
  /** How long after its creation a batch of the Batch API ({@code /v1/batches}) completes. */
  public static final Duration DEFAULT_BATCH_COMPLETION_TIME = Duration.ofSeconds(10);

  /** The default HTTP/2 stream limit: 0, none announced (in effect a million streams per connection). */
  public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 0;

  /** The default number of HTTP/2 streams refused unprocessed: 0, none. */
  public static final long DEFAULT_REFUSED_STREAMS = 0;

  /** The default number of HTTP/2 streams a connection processes before it sends {@code GOAWAY}: 0, no limit. */
  public static final int DEFAULT_GOAWAY_AFTER_STREAMS = 0;

  /** The default keep-alive idle timeout: none ({@link Duration#ZERO}), connections stay open until the client closes them. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;

  private final Engine engine;
  private final ServerEngine server;
  private final Decider decider;
  private final StatsRecorder stats;
  private final RequestLog requests;
  private final Latency latency;
  private final Faults faults;
  private final String host;
  private final boolean http2;
  private final Duration idleTimeout;
  private final String url;
  private final int port;
  private final java.util.Optional<MockTls> tls;
  private final long maxConcurrentStreams;

  private MockBackend(Builder b) {
    latency = b.latency;
    faults = b.faults;
    host = b.host;
    http2 = b.http2PriorKnowledge;
    engine = b.engine;
    idleTimeout = b.idleTimeout;
    if (b.http2PriorKnowledge && b.tls) {
      throw new IllegalArgumentException("http2PriorKnowledge and tls: over TLS, HTTP/2 is chosen by ALPN");
    }
    if ((b.refusedStreams > 0 || b.goAwayAfterStreams > 0) && engine != Engine.NETTY) {
      throw new IllegalArgumentException("refusedStreams " + b.refusedStreams + " and goAwayAfterStreams "
          + b.goAwayAfterStreams + " need Engine.NETTY: MockWebServer cannot refuse a stream or send GOAWAY");
    }
    if (b.maxConcurrentStreams > 0 && engine != Engine.NETTY) {
      throw new IllegalArgumentException("maxConcurrentStreams " + b.maxConcurrentStreams
          + " needs Engine.NETTY: MockWebServer announces no HTTP/2 stream limit");
    }
    tls = !b.tls ? java.util.Optional.empty()
        : java.util.Optional.of(b.tlsCertificate != null ? b.tlsCertificate : MockTls.generate(b.host));
    maxConcurrentStreams = b.maxConcurrentStreams;
    stats = new StatsRecorder();
    requests = new RequestLog(b.recordedRequests);
    decider = new Decider(latency, faults, stats, b.maxBodyBytes, b.batchCompletionTime);
    ServerConfig config = new ServerConfig(host, b.port, b.backlog, b.maxBodyBytes, http2, idleTimeout, tls,
        maxConcurrentStreams, b.refusedStreams, b.goAwayAfterStreams);
    switch (engine) {
      case NETTY:
        server = new NettyServer(config, decider, stats, requests);
        break;
      case MOCKWEBSERVER:
        server = new MockWebServerEngine(config, decider, stats, requests);
        break;
      default:
        throw new AssertionError(engine);
    }
    InetSocketAddress bound = server.address();
    port = bound.getPort();
    url = (tls.isPresent() ? "https://" : "http://") + hostForUrl(bound.getAddress()) + ":" + port;
  }

  private static String hostForUrl(InetAddress address) {
    return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a backend on loopback, any free port, with {@code latency} and no faults. */
  public static MockBackend start(Latency latency) {
    return builder().latency(latency).start();
  }

  /** The base URL, {@code http://127.0.0.1:PORT} ({@code https://} with TLS), without a trailing slash. */
  public String url() {
    return url;
  }

  /** The base URL for OpenAI clients, {@code http://127.0.0.1:PORT/v1}. */
  public String openAiBaseUrl() {
    return url + "/v1";
  }

  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  public Latency latency() {
    return latency;
  }

  public Faults faults() {
    return faults;
  }

  /** The server engine this backend runs on. */
  public Engine engine() {
    return engine;
  }

  /**
   * True if this backend speaks cleartext HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1. (The
   * Netty engine accepts both on one port whatever this says.)
   */
  public boolean http2PriorKnowledge() {
    return http2;
  }

  /** True if this backend serves HTTPS (see {@link Builder#tls(boolean)}). */
  public boolean tls() {
    return tls.isPresent();
  }

  /**
   * The certificates this backend serves with: the CA a client must trust is {@link
   * MockTls#caCertificatePem()}, and {@link MockTls#clientHandshake()} gives OkHttp its socket factory and
   * trust manager.
   *
   * @throws IllegalStateException if the backend does not serve TLS
   */
  public MockTls tlsCertificates() {
    return tls.orElseThrow(() -> new IllegalStateException("this backend serves cleartext HTTP: build it with tls(true)"));
  }

  /** The HTTP/2 stream limit this backend announces; 0 if it sets none. */
  public long maxConcurrentStreams() {
    return maxConcurrentStreams;
  }

  /** What trace context ({@code traceparent}, {@code tracestate}) the requests carried; see {@link TraceStats}. */
  public TraceStats traceStats() {
    return stats.traces().snapshot();
  }

  /** A snapshot of the counters; see {@link Stats}. */
  public Stats stats() {
    return stats.snapshot();
  }

  /**
   * Waits until no request is in flight, up to {@code timeout}, and returns the stats then (or at
   * the timeout: check {@link Stats#inFlight()}). A client can see a whole response a moment before
   * the server counts it completed, so tests that assert on {@link Stats#completed()} call this
   * first.
   */
  public Stats awaitIdle(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Stats s = stats();
    while (s.inFlight() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(1);
      s = stats();
    }
    return s;
  }

  /** The keep-alive idle timeout; zero if idle connections are never closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** A snapshot of the connection counters (never reset); see {@link ConnectionStats}. */
  public ConnectionStats connectionStats() {
    return server.connectionStats();
  }

  /**
   * Zeroes the stats, drops recorded requests, and restarts the seeded jitter and fault sequences
   * and the rate-limit buckets, as if the backend had just started (the same as {@code POST
   * /__admin/reset}). Requests in flight keep running and stay counted in {@link Stats#inFlight()}.
   * Connection stats and request sequence numbers go on.
   */
  public void reset() {
    requests.clear();
    decider.reset();
  }

  /**
   * The oldest recorded request not yet taken, waiting up to {@code timeout}; null if none came.
   * Only the last {@link Builder#recordedRequests(int)} are kept. Both engines record every request
   * the same way, as they read it (see {@link ReceivedRequest}).
   *
   * @throws IllegalStateException if {@link Builder#recordedRequests(int) recordedRequests} is 0
   */
  public ReceivedRequest takeRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return requests.take(timeout, unit);
  }

  /** Stops the server: ends delayed and stalled responses, closes connections, releases threads. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "MockBackend{" + url + (engine == Engine.NETTY ? " netty" : "") + (http2 ? " h2c" : "")
        + (maxConcurrentStreams > 0 ? ", maxConcurrentStreams=" + maxConcurrentStreams : "")
        + (idleTimeout.isZero() ? "" : ", idleTimeout=" + Durations.format(idleTimeout)) + ", " + latency + ", " + faults + "}";
  }

  /** Builds and starts a {@link MockBackend}; every setter validates and names the bad value. */
  public static final class Builder {
    private Latency latency = Latency.defaults();
    private Faults faults = Faults.none();
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private boolean http2PriorKnowledge;
    private int backlog = DEFAULT_BACKLOG;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int recordedRequests = DEFAULT_RECORDED_REQUESTS;
    private Duration batchCompletionTime = DEFAULT_BATCH_COMPLETION_TIME;
    private Engine engine = DEFAULT_ENGINE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private boolean tls;
    private MockTls tlsCertificate;
    private long maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private long refusedStreams = DEFAULT_REFUSED_STREAMS;
    private int goAwayAfterStreams = DEFAULT_GOAWAY_AFTER_STREAMS;

    private Builder() {}

    /**
     * Serve HTTPS: HTTP/2 or HTTP/1.1 as the client chooses by ALPN, with a certificate for {@code
     * localhost}, the loopback addresses and the bound host, signed by a CA generated at start (see {@link
     * MockBackend#tlsCertificates()} for the CA a client must trust). Cannot be combined with {@link
     * #http2PriorKnowledge(boolean)}. Defaults to false (cleartext).
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      if (!tls) tlsCertificate = null;
      return this;
    }

    /** Serve HTTPS ({@link #tls(boolean) tls(true)}) with these certificates instead of generated ones. */
    public Builder tls(MockTls certificates) {
      if (certificates == null) throw new IllegalArgumentException("certificates == null");
      this.tls = true;
      this.tlsCertificate = certificates;
      return this;
    }

    /**
     * The HTTP/2 {@code SETTINGS_MAX_CONCURRENT_STREAMS} this backend announces on every connection, as real
     * servers do (nginx 128, many CDNs 100-256); a client's stream above it is refused with {@code
     * RST_STREAM REFUSED_STREAM}. 0 announces none that a fan-out would meet (a million). Needs {@link
     * Engine#NETTY}: {@link MockBackend.Builder#start()} fails on MockWebServer, which announces none. Defaults to
     * {@link #DEFAULT_MAX_CONCURRENT_STREAMS} (0).
     */
    public Builder maxConcurrentStreams(long maxConcurrentStreams) {
      if (maxConcurrentStreams < 0 || maxConcurrentStreams > 0xffffffffL) {
        throw new IllegalArgumentException("maxConcurrentStreams out of range 0..2^32-1: " + maxConcurrentStreams);
      }
      this.maxConcurrentStreams = maxConcurrentStreams;
      return this;
    }

    /**
     * Refuses the first {@code refusedStreams} HTTP/2 streams this backend receives, counted over all its
     * connections, with {@code RST_STREAM REFUSED_STREAM}: the request is not processed, not routed and not
     * counted, as a server at its stream limit (nginx, Netty, Envoy) refuses a stream it will not serve. A
     * client may send such a request again (RFC 9113, section 8.7). {@link Long#MAX_VALUE} refuses every
     * stream. HTTP/1.1 is not affected. Needs {@link Engine#NETTY}. Defaults to {@link #DEFAULT_REFUSED_STREAMS} (0).
     */
    public Builder refusedStreams(long refusedStreams) {
      this.refusedStreams = Checks.nonNegative("refusedStreams", refusedStreams);
      return this;
    }

    /**
     * Each HTTP/2 connection processes this many streams, then answers the next one with {@code GOAWAY}
     * ({@code NO_ERROR}) whose last stream id is the last stream it processed, as nginx does after {@code
     * keepalive_requests} requests or on a reload. That stream and any later ones on the connection are not
     * processed (the client may send them again on a new connection, RFC 9113 section 6.8); the processed ones
     * are answered, and the client closes the connection. 0 never sends {@code GOAWAY} before the backend closes.
     * Needs {@link Engine#NETTY}. Defaults to {@link #DEFAULT_GOAWAY_AFTER_STREAMS} (0).
     */
    public Builder goAwayAfterStreams(int goAwayAfterStreams) {
      this.goAwayAfterStreams = Checks.nonNegative("goAwayAfterStreams", goAwayAfterStreams);
      return this;
    }

    /**
     * Closes a connection that stays idle this long after its last response: no request in progress and
     * nothing read or written (a connection is not timed before its first response, as in Node.js). Real servers do this
     * (Node.js's {@code keepAliveTimeout} is 5 s, nginx's {@code keepalive_timeout} 75 s, load balancers
     * about 60 s), so a client's pooled connection can be closed under it. The server closes it cleanly
     * (a FIN); a request in progress is never cut. Zero keeps idle connections open. Defaults to {@link
     * #DEFAULT_IDLE_TIMEOUT} (zero: none).
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Durations.requireNonNegative(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * The server engine: {@link Engine#MOCKWEBSERVER} (a thread per open connection) or {@link
     * Engine#NETTY} (event loops; for tens of thousands of concurrent requests). Same routes, latency,
     * faults, stats and recorded requests on both. Defaults to {@link #DEFAULT_ENGINE} (MOCKWEBSERVER).
     */
    public Builder engine(Engine engine) {
      if (engine == null) throw new IllegalArgumentException("engine == null");
      this.engine = engine;
      return this;
    }

    /** How long responses take. Defaults to {@link Latency#defaults()} (1 s fixed). */
    public Builder latency(Latency latency) {
      if (latency == null) throw new IllegalArgumentException("latency == null");
      this.latency = latency;
      return this;
    }

    /** Which faults to inject. Defaults to {@link Faults#none()}. */
    public Builder faults(Faults faults) {
      if (faults == null) throw new IllegalArgumentException("faults == null");
      this.faults = faults;
      return this;
    }

    /**
     * The interface to bind, a name or address; binding other than loopback exposes the mock to the
     * network. Defaults to {@link #DEFAULT_HOST}.
     */
    public Builder host(String host) {
      if (host == null || host.isBlank()) throw new IllegalArgumentException("host is blank: '" + host + "'");
      this.host = host.trim();
      return this;
    }

    /** The port, 0 for any free port. Defaults to {@link #DEFAULT_PORT} (0). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range 0..65535: " + port);
      this.port = port;
      return this;
    }

    /**
     * Speak cleartext HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1; clients must use
     * {@code Protocol.H2_PRIOR_KNOWLEDGE}. Defaults to false.
     */
    public Builder http2PriorKnowledge(boolean http2PriorKnowledge) {
      this.http2PriorKnowledge = http2PriorKnowledge;
      return this;
    }

    /** The accept backlog of the server socket. Defaults to {@link #DEFAULT_BACKLOG} (4096). */
    public Builder backlog(int backlog) {
      if (backlog < 1) throw new IllegalArgumentException("backlog < 1: " + backlog);
      this.backlog = backlog;
      return this;
    }

    /** The largest request body accepted; larger get 413. Defaults to {@link #DEFAULT_MAX_BODY_BYTES} (1 MiB). */
    public Builder maxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = Checks.nonNegative("maxBodyBytes", maxBodyBytes);
      return this;
    }

    /**
     * How long after its creation a batch of the Batch API ({@code POST /v1/batches}) completes; until then
     * it is {@code in_progress}. Time is the meter clock's ({@link Faults.Builder}), so a test can drive it.
     * Defaults to {@link #DEFAULT_BATCH_COMPLETION_TIME} (10 s).
     */
    public Builder batchCompletionTime(Duration batchCompletionTime) {
      if (batchCompletionTime == null || batchCompletionTime.isNegative()) {
        throw new IllegalArgumentException("batchCompletionTime < 0 or null: " + batchCompletionTime);
      }
      this.batchCompletionTime = batchCompletionTime;
      return this;
    }

    /**
     * How many of the latest requests to keep for {@link #takeRequest(long, TimeUnit)}; 0 keeps
     * none. Defaults to {@link #DEFAULT_RECORDED_REQUESTS} (1000).
     */
    public Builder recordedRequests(int recordedRequests) {
      this.recordedRequests = Checks.nonNegative("recordedRequests", recordedRequests);
      return this;
    }

    /**
     * Binds and starts the backend; it accepts connections when this returns.
     *
     * @throws UncheckedIOException if it cannot bind
     * @throws IllegalArgumentException if options conflict (TLS with h2c prior knowledge; a stream limit on
     *     MockWebServer)
     */
    public MockBackend start() {
      return new MockBackend(this);
    }
  }
}
