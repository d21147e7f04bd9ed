package dev.fanout;

import dev.fanout.chat.ChatService;
import dev.fanout.embeddings.EmbeddingService;
import dev.fanout.internal.ChatServiceImpl;
import dev.fanout.internal.EmbeddingServiceImpl;
import dev.fanout.internal.HttpEngine;
import dev.fanout.internal.JsonServiceImpl;
import dev.fanout.internal.Threads;
import dev.fanout.internal.UserServiceImpl;
import dev.fanout.json.JsonService;
import dev.fanout.users.UserService;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * A client for one backend, tuned for fanning out many calls at once: {@link #users()}, {@link #chat()}
 * (OpenAI-compatible) and {@link #json()} (any JSON endpoint of your own), each call in blocking and
 * {@link CompletableFuture} form.
 *
 * <pre>{@code
 * try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:8080").build()) {
 *   CompletableFuture<User> user = client.users().getAsync(7);
 * }
 * }</pre>
 *
 * <h2>Clients should be shared.</h2>
 * A client is thread-safe and holds a dispatcher, a connection pool and a scheduler; build one per backend
 * and use it from every thread.
 *
 * <h2>No fan-out is silently capped.</h2>
 * OkHttp's default {@link Dispatcher} runs at most 5 async calls per host (6 calls of 1 s then take 2 s).
 * This client sizes its dispatcher's {@code maxRequests} and {@code maxRequestsPerHost} and its connection
 * pool to {@link Builder#maxInFlight(int)}; calls beyond that wait in the dispatcher's queue, which costs no
 * thread. On Java 21+ the dispatcher runs on virtual threads (see {@link VirtualThreads}).
 *
 * <h2>Deadlines and traces.</h2>
 * A call made through a fan-out's {@link FanoutContext} is charged, retries and backoffs included, against
 * the fan-out's deadline and the client's {@link Builder#totalTimeout(Duration)} (each attempt also against
 * {@link Builder#attemptTimeout(Duration)}): when it passes the call is cancelled and fails with
 * {@link dev.fanout.errors.FanoutTimeoutException}. Every finished call yields a {@link CallTrace},
 * delivered to the fan-out's report and to {@link Builder#traceListener(Consumer)}. Every timer (deadlines,
 * attempt timeouts, backoffs) runs on the one {@link Builder#clock(FanoutClock) clock}.
 *
 * <h2>Ownership.</h2>
 * This client owns its dispatcher executor and shuts it down in {@link #close()}, and owns its connection
 * pool and evicts it, unless the pool came with a caller's {@link Builder#okHttpClient OkHttpClient}. It
 * owns no timer thread: the default clock is the shared {@link FanoutClock#system()}, whose one daemon
 * thread ends when idle; a caller's clock stays the caller's.
 */
public final class FanoutClient implements AutoCloseable {
  /** Defaults to 10 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Defaults to 60 s. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
  /** Defaults to 60 s. */
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
  /** No overall limit per logical call: {@link Duration#ZERO}. */
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ZERO;
  /** No limit per attempt beyond the connect/read/write timeouts: {@link Duration#ZERO}. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ZERO;
  /**
   * The default {@link Builder#streamIdleTimeout(Duration)}: 5 minutes without a data event ends a stream.
   * Reasoning models can think for minutes before their first delta, so a shorter default would cut
   * healthy streams; a stream kept open by {@code : ping} comments alone otherwise never ends.
   */
  public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);
  /**
   * 1,024 requests in flight: a fan-out of 1,000 to a server that does not limit it runs in one wave, not
   * in waves of a guessed ceiling. The ceiling no longer has to be a guess because the rate-limit governor
   * ({@link #DEFAULT_GOVERNOR}) holds a metered server's calls to what it publishes, and probes a bucket
   * with {@link GovernorPolicy#DEFAULT_INITIAL_CONCURRENCY} calls before its first response; this bound is
   * what remains for a server that publishes nothing and never answers 429. The dispatcher's
   * {@code maxRequests} and {@code maxRequestsPerHost} and the pool's idle connections follow it; an
   * async call waiting in the dispatcher's queue holds no thread.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
  /**
   * The rate-limit governor is on: {@link GovernorPolicy#defaults()}. It paces to the limits a server
   * publishes and pauses a bucket on a 429; a server that publishes none is not slowed after its first
   * response (before it, a bucket admits {@link GovernorPolicy#DEFAULT_INITIAL_CONCURRENCY} calls).
   */
  public static final GovernorPolicy DEFAULT_GOVERNOR = GovernorPolicy.defaults();
  /** 16 MiB. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;
  /** How long an idle pooled connection is kept: 5 minutes (OkHttp's default). */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);
  /** {@link VirtualThreads#AUTO}. */
  public static final VirtualThreads DEFAULT_VIRTUAL_THREADS = VirtualThreads.AUTO;

  private static final long CLOSE_WAIT_MILLIS = 1000;

  private final Builder settings;
  private final int id;
  private final OkHttpClient okHttp;
  private final ExecutorService dispatcherExecutor;
  private final boolean virtual;
  private final boolean ownsPool;
  private final HttpEngine engine;
  private final UserService users;
  private final ChatService chat;
  private final EmbeddingService embeddings;
  private final JsonService json;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FanoutClient(Builder b) {
    this.settings = new Builder(b);
    this.id = Threads.nextClientId();
    String prefix = "fanout-" + id + "-";

    boolean useVirtual;
    switch (b.virtualThreads) {
      case ON:
        if (!Threads.virtualThreadsAvailable()) {
          throw new IllegalStateException(
              "virtualThreads(ON) needs Java 21+; running " + Runtime.version().feature());
        }
        useVirtual = true;
        break;
      case OFF:
        useVirtual = false;
        break;
      default:
        useVirtual = Threads.virtualThreadsAvailable();
    }
    this.virtual = useVirtual;
    this.dispatcherExecutor = useVirtual
        ? Threads.newVirtualThreadPerTaskExecutor(prefix + "dispatcher-")
        : Threads.newPlatformPool(prefix + "dispatcher-");
    Dispatcher dispatcher = new Dispatcher(dispatcherExecutor);
    dispatcher.setMaxRequests(b.maxInFlight);
    dispatcher.setMaxRequestsPerHost(b.maxInFlight);

    OkHttpClient.Builder ok = b.okHttpClient != null ? b.okHttpClient.newBuilder() : new OkHttpClient.Builder();
    ok.dispatcher(dispatcher)
        .connectTimeout(b.connectTimeout)
        .readTimeout(b.readTimeout)
        .writeTimeout(b.writeTimeout)
        .callTimeout(Duration.ZERO) // the SDK enforces totalTimeout and attemptTimeout on its clock
        // The SDK is the only retrier: OkHttp's own silent retry of a failed connection would send attempts
        // that the retry policy does not bound and that no trace or attempt count shows.
        .retryOnConnectionFailure(false)
        .eventListenerFactory(
            dev.fanout.internal.TraceEventListener.factory(b.okHttpClient == null ? null : b.okHttpClient.eventListenerFactory()));
    this.ownsPool = b.okHttpClient == null;
    if (ownsPool) {
      ok.connectionPool(new ConnectionPool(b.maxInFlight, DEFAULT_KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS));
    }
    if (b.http2PriorKnowledge) {
      ok.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    this.okHttp = ok.build();

    this.engine = HttpEngine.builder()
        .okHttp(okHttp)
        .baseUrl(b.baseUrl)
        .apiKey(b.apiKey)
        .retryPolicy(b.retryPolicy)
        .totalTimeout(b.totalTimeout)
        .attemptTimeout(b.attemptTimeout)
        .streamIdleTimeout(b.streamIdleTimeout)
        .maxResponseBytes(b.maxResponseBytes)
        .clock(b.clock)
        .traceListener(b.traceListener)
        .telemetry(dev.fanout.internal.telemetry.Telemetry.create(b.openTelemetry, b.clock))
        .gate(b.governor.enabled()
            ? dev.fanout.internal.GovernorGate.of(
                // The dispatcher enforces maxInFlight (and warns when a fan-out reaches it); the governor only
                // holds calls below that, so it is given no ceiling of its own.
                dev.fanout.internal.governor.Governor.create(b.governor, Integer.MAX_VALUE, b.clock))
            : dev.fanout.internal.AttemptGate.OPEN)
        .build();
    this.users = new UserServiceImpl(engine);
    this.chat = new ChatServiceImpl(engine);
    this.embeddings = new EmbeddingServiceImpl(engine);
    this.json = new JsonServiceImpl(engine);
  }

  /** Returns a builder; {@link Builder#baseUrl(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with this client's settings; what it builds is a new, independent client. */
  public Builder newBuilder() {
    return new Builder(settings);
  }

  /** Returns the users API. */
  public UserService users() {
    return users;
  }

  /** Returns the OpenAI-compatible chat completions API. */
  public ChatService chat() {
    return chat;
  }

  /** Returns the OpenAI-compatible embeddings API ({@code POST [v1/]embeddings}). */
  public EmbeddingService embeddings() {
    return embeddings;
  }

  /** Returns calls to any JSON endpoint under the base URL. */
  public JsonService json() {
    return json;
  }

  /** Returns the base URL every path is resolved against (always ending in {@code /}). */
  public HttpUrl baseUrl() {
    return settings.baseUrl;
  }

  /** Returns the clock every timer of this client runs on. */
  public FanoutClock clock() {
    return settings.clock;
  }

  /** Returns the client-wide ceiling of requests in flight. */
  public int maxInFlight() {
    return settings.maxInFlight;
  }

  /** Returns the retry policy. */
  public RetryPolicy retryPolicy() {
    return settings.retryPolicy;
  }

  /** Returns true if this client's dispatcher runs on virtual threads. */
  public boolean usesVirtualThreads() {
    return virtual;
  }

  /**
   * Returns the tuned OkHttp client underneath (its dispatcher, pool and listeners are this client's).
   * Calls made on it directly bypass retries, deadlines and traces. It stops working after
   * {@link #close()}.
   */
  public OkHttpClient httpClient() {
    return okHttp;
  }

  /**
   * Cancels every unfinished call (their futures fail with
   * {@link dev.fanout.errors.FanoutCancelledException}), shuts down the dispatcher executor and, if this
   * client owns it, evicts the connection pool. Waits up to a second for the dispatcher's
   * threads to end. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    engine.close();
    okHttp.dispatcher().cancelAll();
    dispatcherExecutor.shutdown();
    String prefix = "fanout-" + id + "-";
    if (!Thread.currentThread().getName().startsWith(prefix)) {
      try {
        dispatcherExecutor.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ownsPool) {
      okHttp.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "FanoutClient{baseUrl=" + settings.baseUrl
        + ", apiKey=" + (settings.apiKey == null ? "none" : "██")
        + ", maxInFlight=" + settings.maxInFlight
        + ", governor=" + (settings.governor.enabled() ? "on" : "off")
        + ", virtualThreads=" + virtual
        + ", retryPolicy=" + settings.retryPolicy
        + (closed.get() ? ", closed" : "") + '}';
  }

  /**
   * Configures and builds a {@link FanoutClient}. Every setter validates its argument and names a bad
   * value in its {@link IllegalArgumentException}.
   */
  public static final class Builder {
    private HttpUrl baseUrl;
    private String apiKey;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private Duration totalTimeout = DEFAULT_TOTAL_TIMEOUT;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private OkHttpClient okHttpClient;
    private boolean http2PriorKnowledge;
    private VirtualThreads virtualThreads = DEFAULT_VIRTUAL_THREADS;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private FanoutClock clock = FanoutClock.system();
    private Consumer<CallTrace> traceListener;
    private Object openTelemetry;
    private GovernorPolicy governor = DEFAULT_GOVERNOR;

    private Builder() {}

    private Builder(Builder b) {
      this.baseUrl = b.baseUrl;
      this.apiKey = b.apiKey;
      this.connectTimeout = b.connectTimeout;
      this.readTimeout = b.readTimeout;
      this.writeTimeout = b.writeTimeout;
      this.totalTimeout = b.totalTimeout;
      this.attemptTimeout = b.attemptTimeout;
      this.streamIdleTimeout = b.streamIdleTimeout;
      this.maxInFlight = b.maxInFlight;
      this.retryPolicy = b.retryPolicy;
      this.okHttpClient = b.okHttpClient;
      this.http2PriorKnowledge = b.http2PriorKnowledge;
      this.virtualThreads = b.virtualThreads;
      this.maxResponseBytes = b.maxResponseBytes;
      this.clock = b.clock;
      this.traceListener = b.traceListener;
      this.openTelemetry = b.openTelemetry;
      this.governor = b.governor;
    }

    /**
     * Sets the rate-limit governor: it paces calls by the limits servers publish ({@code x-ratelimit-*},
     * {@code anthropic-ratelimit-*}, IETF {@code RateLimit}), pauses a bucket for every call on a 429 (the
     * retry of that 429 waits for the pause instead of its own backoff), and from the first 429 caps a
     * bucket's concurrency adaptively (AIMD). A server that publishes no limits and sends no 429 is not
     * slowed. {@link #maxInFlight(int)} stays the hard ceiling. {@link GovernorPolicy#disabled()} turns it
     * off. Defaults to {@link #DEFAULT_GOVERNOR} (off, for now).
     */
    public Builder governor(GovernorPolicy governor) {
      this.governor = java.util.Objects.requireNonNull(governor, "governor == null");
      return this;
    }

    /**
     * Sets the server's base URL, an absolute {@code http} or {@code https} URL such as
     * {@code http://localhost:8080} or {@code https://api.openai.com/v1}. Paths of calls are resolved under
     * it (a {@code /} is appended to its path if missing). Required; there is no default.
     */
    public Builder baseUrl(String baseUrl) {
      if (baseUrl == null) {
        throw new IllegalArgumentException("baseUrl == null");
      }
      if (baseUrl.isBlank()) {
        throw new IllegalArgumentException("baseUrl is blank: \"" + baseUrl + "\"");
      }
      String lower = baseUrl.strip().toLowerCase(Locale.ROOT);
      if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
        throw new IllegalArgumentException("baseUrl is not an absolute http(s) URL: " + baseUrl);
      }
      HttpUrl url = HttpUrl.parse(baseUrl.strip());
      if (url == null) {
        throw new IllegalArgumentException("baseUrl is not a valid URL: " + baseUrl);
      }
      return baseUrl(url);
    }

    /** Sets the server's base URL. Required; there is no default. */
    public Builder baseUrl(HttpUrl baseUrl) {
      if (baseUrl == null) {
        throw new IllegalArgumentException("baseUrl == null");
      }
      if (baseUrl.encodedQuery() != null || baseUrl.encodedFragment() != null) {
        throw new IllegalArgumentException("baseUrl must not have a query or fragment: " + baseUrl);
      }
      if (!baseUrl.username().isEmpty() || !baseUrl.password().isEmpty()) {
        throw new IllegalArgumentException("baseUrl must not carry credentials (use apiKey): "
            + baseUrl.newBuilder().username("").password("").build());
      }
      String path = baseUrl.encodedPath();
      this.baseUrl = path.endsWith("/") ? baseUrl : baseUrl.newBuilder().encodedPath(path + "/").build();
      return this;
    }

    /**
     * Sets the API key, sent as {@code Authorization: Bearer <key>} on every call; {@code null} sends no
     * {@code Authorization} header. The key never appears in {@code toString()}, logs or exception
     * messages. Defaults to null.
     */
    public Builder apiKey(String apiKey) {
      if (apiKey != null) {
        if (apiKey.isBlank()) {
          throw new IllegalArgumentException("apiKey is blank");
        }
        for (int i = 0; i < apiKey.length(); i++) {
          char c = apiKey.charAt(i);
          if (c <= 0x20 || c >= 0x7f) {
            throw new IllegalArgumentException(
                "apiKey has a character not allowed in a header at index " + i + " (value not shown)");
          }
        }
      }
      this.apiKey = apiKey;
      return this;
    }

    /** Sets the timeout for opening a connection, per attempt; zero means none. Defaults to 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = nonNegative(connectTimeout, "connectTimeout");
      return this;
    }

    /** Sets the longest silence while reading a response, per attempt; zero means none. Defaults to 60 s. */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = nonNegative(readTimeout, "readTimeout");
      return this;
    }

    /** Sets the longest stall while writing a request, per attempt; zero means none. Defaults to 60 s. */
    public Builder writeTimeout(Duration writeTimeout) {
      this.writeTimeout = nonNegative(writeTimeout, "writeTimeout");
      return this;
    }

    /**
     * Sets the budget of a whole logical call, from its creation (queueing, every attempt and every backoff
     * included); the earlier of it and a fan-out's deadline applies ({@link CallOptions.Builder#timeout}
     * overrides it per call). When it passes, the call is cancelled and fails with
     * {@link dev.fanout.errors.FanoutTimeoutException}. Zero means no limit. Defaults to
     * {@link #DEFAULT_TOTAL_TIMEOUT} (0, no limit).
     */
    public Builder totalTimeout(Duration totalTimeout) {
      this.totalTimeout = nonNegative(totalTimeout, "totalTimeout");
      return this;
    }

    /**
     * Sets the budget of each attempt, from its admission to its response headers and body; when it
     * passes, the attempt is cancelled and fails with {@link dev.fanout.errors.FanoutTimeoutException},
     * which the default {@link RetryPolicy} retries. Zero means none (only the connect, read and write
     * timeouts apply). Defaults to {@link #DEFAULT_ATTEMPT_TIMEOUT} (0, none).
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = nonNegative(attemptTimeout, "attemptTimeout");
      return this;
    }

    /**
     * Sets how long a streamed response may go without a data event (an SSE {@code data:} line; comments
     * such as {@code : ping} and bytes dripped inside an event do not count), measured on the client's
     * {@link FanoutClock} from the response headers and from each data event. When it passes, the stream is
     * cancelled and the call fails with {@link dev.fanout.errors.FanoutTimeoutException}, not retried (deltas
     * may have been delivered). Zero means none. Defaults to {@link #DEFAULT_STREAM_IDLE_TIMEOUT} (5 min).
     */
    public Builder streamIdleTimeout(Duration streamIdleTimeout) {
      this.streamIdleTimeout = nonNegative(streamIdleTimeout, "streamIdleTimeout");
      return this;
    }

    /**
     * Sets how many calls may be in flight at once; OkHttp's {@code maxRequests}, {@code maxRequestsPerHost}
     * and the pool's idle connections are sized to it. Further calls wait in the dispatcher's queue (their
     * queue time shows in the {@link CallTrace}). Defaults to 1,024 ({@link #DEFAULT_MAX_IN_FLIGHT}).
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** Sets when and how calls are retried; {@link RetryPolicy#none()} disables retries. Defaults to {@link RetryPolicy#defaults()}. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy == null");
      return this;
    }

    /**
     * Shares an existing OkHttp client: this client is derived with {@link OkHttpClient#newBuilder()}, so
     * it keeps that client's connection pool, interceptors, TLS, proxy and event listener. It gets its own
     * {@link Dispatcher} sized to {@link #maxInFlight(int)} (so the caller's per-host limit cannot cap a
     * fan-out) and this builder's timeouts. The caller keeps owning the shared client: {@link #close()}
     * does not evict its pool. Defaults to null (a new OkHttp client).
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = okHttpClient;
      return this;
    }

    /**
     * Speaks HTTP/2 without TLS from the first byte (h2c prior knowledge), for servers known to support
     * it; the base URL must then be {@code http}. Over TLS, HTTP/2 is negotiated automatically whatever this
     * setting. Defaults to false.
     */
    public Builder http2PriorKnowledge(boolean http2PriorKnowledge) {
      this.http2PriorKnowledge = http2PriorKnowledge;
      return this;
    }

    /** Sets whether OkHttp's dispatcher runs on virtual threads. Defaults to {@link VirtualThreads#AUTO}. */
    public Builder virtualThreads(VirtualThreads virtualThreads) {
      this.virtualThreads = Objects.requireNonNull(virtualThreads, "virtualThreads == null");
      return this;
    }

    /**
     * Sets the largest response body (or streamed data) a call reads; a larger one fails with
     * {@link dev.fanout.errors.DecodeException} after reading at most this many bytes plus one. Defaults
     * to 16 MiB.
     */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes < 1) {
        throw new IllegalArgumentException("maxResponseBytes < 1: " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * Sets the one clock every timer of this client runs on: call deadlines, attempt timeouts and retry
     * backoffs (and {@code Retry-After} dates are read against its {@link FanoutClock#instant()}). Tests pass
     * a {@link dev.fanout.testing.FakeClock}; {@link FanoutClock#system(java.util.concurrent.ScheduledExecutorService)}
     * runs timers on a scheduler of the caller's, who keeps owning it. Defaults to {@link FanoutClock#system()}.
     */
    public Builder clock(FanoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Receives the {@link CallTrace} of every finished call (success, failure or cancel), on the thread that
     * finished it; it must return quickly and must not block. Defaults to null (none).
     */
    public Builder traceListener(Consumer<CallTrace> traceListener) {
      this.traceListener = traceListener;
      return this;
    }

    /**
     * Sends this client's traces and metrics to {@code openTelemetry}, an
     * {@code io.opentelemetry.api.OpenTelemetry} (typed {@code Object} so that the SDK runs without the
     * optional {@code opentelemetry-api} jar; no OpenTelemetry class is loaded unless one is given).
     *
     * <p>Each logical call is a CLIENT span (HTTP client conventions; GenAI conventions for chat and
     * embeddings: {@code gen_ai.request.model}, {@code gen_ai.usage.*}, finish reasons, time to first chunk
     * on streams) with a child span per attempt ({@code http.request.resend_count} on retries), whose
     * {@code traceparent} goes out on that attempt's request. A fan-out is a span too: the first call this
     * client makes inside a fan-out starts it, in the trace context current at that call, and the fan-out
     * ends it with its combinator, size, bound and outcome counts; its calls on this client are its
     * children. Times come from {@link #clock(FanoutClock)}. Defaults to null (no telemetry).
     *
     * @throws IllegalArgumentException if {@code openTelemetry} is not an OpenTelemetry
     */
    public Builder openTelemetry(Object openTelemetry) {
      if (openTelemetry != null && !isOpenTelemetry(openTelemetry.getClass())) {
        throw new IllegalArgumentException(
            "openTelemetry is not an io.opentelemetry.api.OpenTelemetry: " + openTelemetry.getClass().getName());
      }
      this.openTelemetry = openTelemetry;
      return this;
    }

    /** Checks by name, so that no OpenTelemetry class needs to be loadable. */
    private static boolean isOpenTelemetry(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        if (c.getName().equals("io.opentelemetry.api.OpenTelemetry")) {
          return true;
        }
        for (Class<?> i : c.getInterfaces()) {
          if (isOpenTelemetry(i)) {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalStateException if no base URL was set, {@link #http2PriorKnowledge(boolean)} was asked
     *     for with an https base URL, or {@link VirtualThreads#ON} before Java 21
     */
    public FanoutClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl == null: set it with baseUrl(...)");
      }
      if (http2PriorKnowledge && baseUrl.isHttps()) {
        throw new IllegalStateException("http2PriorKnowledge needs an http base URL: " + baseUrl);
      }
      return new FanoutClient(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null) {
        throw new IllegalArgumentException(name + " == null");
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " < 0: " + d);
      }
      return d;
    }
  }
}
