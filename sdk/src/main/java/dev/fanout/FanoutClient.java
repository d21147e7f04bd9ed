package dev.fanout;

import dev.fanout.chat.ChatService;
import dev.fanout.embeddings.EmbeddingService;
import dev.fanout.internal.HttpEngine;
import dev.fanout.internal.Services;
import dev.fanout.internal.Threads;
import dev.fanout.json.JsonService;
import dev.fanout.users.UserService;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

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
  /**
   * The default {@link Builder#totalTimeout(Duration)}: 10 minutes for a whole logical call, retries and
   * backoffs included. Long enough for a long model generation (a streamed completion of many thousand tokens,
   * a reasoning model thinking for minutes: the stream's own {@link #DEFAULT_STREAM_IDLE_TIMEOUT} is 5 minutes
   * without a data event), short enough that a server dripping a byte per read timeout, or answering nothing
   * three times, cannot hold a call for ever. {@link Duration#ZERO} sets no limit.
   */
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(10);
  /** No limit per attempt beyond the connect/read/write timeouts: {@link Duration#ZERO}. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ZERO;
  /**
   * The default {@link Builder#streamIdleTimeout(Duration)}: 5 minutes without progress (content, a tool
   * call, usage) ends a stream.
   * Reasoning models can think for minutes before their first delta, so a shorter default would cut
   * healthy streams; a stream kept open by {@code : ping} comments alone otherwise never ends.
   */
  public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);
  /**
   * 1,024 requests in flight: a fan-out of 1,000 to a server that does not limit it runs in one wave, not
   * in waves of a guessed ceiling. The ceiling no longer has to be a guess because the rate-limit governor
   * ({@link #DEFAULT_GOVERNOR}) holds a metered server's calls to what it publishes, and probes a model API's
   * bucket with {@link GovernorPolicy#DEFAULT_INITIAL_CONCURRENCY} calls before its first response; this bound is
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
  /** The default hedging: none ({@link HedgePolicy#disabled()}); see {@link Builder#hedging(HedgePolicy)}. */
  public static final HedgePolicy DEFAULT_HEDGING = HedgePolicy.disabled();
  /**
   * The default {@link Builder#routeTemplates(java.util.List)}: none, so a request's route is its path with
   * id-like segments (digits, long or opaque tokens) as {@code *}.
   */
  public static final java.util.List<String> DEFAULT_ROUTE_TEMPLATES = java.util.List.of();
  /**
   * Query parameters (and headers) whose values the client always redacts, wherever it shows a URL or
   * something the server echoed, when the name, lower-cased with {@code -} read as {@code _}, is exactly one of
   * these: {@code authorization}, {@code proxy_authorization}, {@code cookie}, {@code set_cookie}, {@code auth},
   * {@code key}, {@code sig}, {@code code}, {@code sid}, {@code jwt}, {@code pwd}, {@code pass}, {@code bearer},
   * {@code session}; see also {@link #DEFAULT_REDACTED_NAME_PARTS}. Add names with
   * {@link Builder#redactedQueryParameters(java.util.Collection)}.
   */
  public static final java.util.Set<String> DEFAULT_REDACTED_NAMES = dev.fanout.internal.Redaction.SENSITIVE_NAMES;
  /**
   * Parts of names whose value the client always redacts wherever they occur in the name (lower-cased, {@code -}
   * read as {@code _}): {@code api_key}, {@code apikey}, {@code access_key}, {@code accesskey}, {@code token}
   * (not in rate-limit counters' names), {@code secret}, {@code password}, {@code passwd}, {@code signature},
   * {@code sessid}, {@code sessionid}, {@code session_id}, {@code credential}, {@code private_key},
   * {@code privatekey}, {@code auth_}, {@code _auth}, {@code authkey}.
   */
  public static final java.util.List<String> DEFAULT_REDACTED_NAME_PARTS =
      dev.fanout.internal.Redaction.SENSITIVE_NAME_PARTS;
  /** The default {@link Builder#redactedQueryParameters(java.util.Collection)}: none beyond the defaults. */
  public static final java.util.Set<String> DEFAULT_REDACTED_QUERY_PARAMETERS = java.util.Set.of();
  /** 16 MiB. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;
  /**
   * The default {@link Builder#keepAlive(Duration)}: 4 s. Servers close idle keep-alive connections after
   * their own timeout (Node.js's {@code keepAliveTimeout} and uvicorn's {@code --timeout-keep-alive}, which
   * vLLM and LiteLLM run on, 5 s; nginx 75 s; AWS load balancers 60 s); the client must let go first, or its
   * next request on that connection meets the close. 4 s is under the shortest common one, and reconnecting
   * after 4 s idle costs one handshake, little beside a fan-out of model calls. (OkHttp's own default is 5
   * minutes.)
   */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(4);
  /** How the API key is sent by default: {@code Authorization: Bearer}. */
  public static final AuthScheme DEFAULT_AUTH_SCHEME = AuthScheme.BEARER;
  /** {@link VirtualThreads#AUTO}. */
  public static final VirtualThreads DEFAULT_VIRTUAL_THREADS = VirtualThreads.AUTO;

  private final FanoutClientSpec spec;
  private final OkHttpClient sharedOkHttp;
  private final FanoutClock clock;
  private final Consumer<CallTrace> traceListener;
  private final Object openTelemetry;
  private final dev.fanout.internal.telemetry.StatsTelemetry stats = new dev.fanout.internal.telemetry.StatsTelemetry();
  private final ClientTransport transport;
  private final HttpEngine engine;
  private final Services services;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FanoutClient(Builder b, FanoutClientSpec spec) {
    this.spec = spec;
    this.sharedOkHttp = b.okHttpClient;
    this.clock = b.clock;
    this.traceListener = b.traceListener;
    this.openTelemetry = b.openTelemetry;
    this.transport = ClientTransport.open(spec, sharedOkHttp, clock, "fanout-" + Threads.nextClientId() + "-");
    this.engine = ClientTransport.engine(spec, transport.okHttp(), clock, traceListener, stats, openTelemetry);
    this.services = Services.of(engine);
  }

  /** Returns a builder; {@link Builder#baseUrl(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the serializable part of this client's configuration (see {@link FanoutClientSpec}). */
  public FanoutClientSpec spec() {
    return spec;
  }

  /** Returns the users API. */
  public UserService users() {
    return services.users();
  }

  /** Returns the OpenAI-compatible chat completions API. */
  public ChatService chat() {
    return services.chat();
  }

  /**
   * Returns Anthropic's Messages API ({@code POST [v1/]messages}), sending the API key as {@code x-api-key}
   * with {@code anthropic-version}.
   */
  public dev.fanout.messages.MessagesService messages() {
    return services.messages();
  }

  /** Returns the OpenAI-compatible embeddings API ({@code POST [v1/]embeddings}). */
  public EmbeddingService embeddings() {
    return services.embeddings();
  }

  /** Returns calls to any JSON endpoint under the base URL. */
  public JsonService json() {
    return services.json();
  }

  /** Returns the base URL every path is resolved against (always ending in {@code /}). */
  public HttpUrl baseUrl() {
    return spec.baseUrl();
  }

  /** Returns the clock every timer of this client runs on. */
  public FanoutClock clock() {
    return clock;
  }

  /** Returns the client-wide ceiling of requests in flight. */
  public int maxInFlight() {
    return spec.maxInFlight();
  }

  /** Returns the retry policy. */
  public RetryPolicy retryPolicy() {
    return spec.retryPolicy();
  }

  /**
   * Returns a snapshot of this client's calls and attempts in flight, and of its 429 responses, governor
   * waits, hedges and replays since it was built (see {@link ClientStats}). Cheap: a few atomic reads.
   */
  public ClientStats stats() {
    return new ClientStats(stats.callsInFlight(), stats.attemptsInFlight(), stats.callsStarted(),
        stats.attemptsStarted(), stats.tooManyRequests(), stats.governorWaits(),
        Duration.ofNanos(stats.governorWaitNanos()), stats.hedgesSent(), stats.replays());
  }

  /** Returns true if this client's dispatcher runs on virtual threads. */
  public boolean usesVirtualThreads() {
    return transport.virtual();
  }

  /**
   * Returns the tuned OkHttp client underneath (its dispatcher, pool and listeners are this client's).
   * Calls made on it directly bypass retries, deadlines and traces. It stops working after
   * {@link #close()}.
   */
  public OkHttpClient httpClient() {
    return transport.okHttp();
  }

  /**
   * Cancels every unfinished call (their futures fail with
   * {@link dev.fanout.errors.FanoutCancelledException}, whose message says whether the call's request had
   * been sent), shuts down the dispatcher executor and, if this client owns it, evicts the connection pool.
   * Once this returns, no request of this client is written to the network: calls waiting for a
   * {@code maxInFlight} slot, the governor or a retry are never sent. Waits up to a second for the
   * dispatcher's threads to end. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    engine.close();
    transport.close();
  }

  @Override
  public String toString() {
    return "FanoutClient{baseUrl=" + spec.baseUrl()
        + ", apiKey=" + (spec.hasApiKey() ? "██" : "none")
        + ", maxInFlight=" + spec.maxInFlight()
        + ", governor=" + (spec.governor().enabled() ? "on" : "off")
        + ", hedging=" + (spec.hedging().enabled() ? spec.hedging() : "off")
        + ", virtualThreads=" + transport.virtual()
        + ", retryPolicy=" + spec.retryPolicy()
        + (closed.get() ? ", closed" : "") + '}';
  }

  /** Returns a builder with this client's settings; what it builds is a new, independent client. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Configures and builds a {@link FanoutClient}. The serializable options (base URL, API key, timeouts,
   * {@code maxInFlight}, retries, governor, hedging and the rest) and their checks and defaults are the ones
   * every client builder shares ({@link ClientOptionsBuilder}); {@link #spec(FanoutClientSpec)} sets them all
   * at once and {@link #spec()} reads them back. The clock, OkHttp client, trace listener and OpenTelemetry,
   * which cannot travel in a spec, are set here.
   */
  public static final class Builder extends ClientOptionsBuilder<Builder> {
    private OkHttpClient okHttpClient;
    private FanoutClock clock = FanoutClock.system();
    private Consumer<CallTrace> traceListener;
    private Object openTelemetry;

    private Builder() {}

    private Builder(FanoutClient c) {
      options(c.spec);
      this.okHttpClient = c.sharedOkHttp;
      this.clock = c.clock;
      this.traceListener = c.traceListener;
      this.openTelemetry = c.openTelemetry;
    }

    /**
     * Sets every serializable option to {@code spec}'s, replacing what was set before; later setters change
     * them further. The clock, OkHttp client, trace listener and OpenTelemetry are kept. Defaults to
     * {@link FanoutClientSpec#builder()}'s defaults (no base URL).
     */
    public Builder spec(FanoutClientSpec spec) {
      return options(spec);
    }

    /**
     * Returns the serializable options set so far as a {@link FanoutClientSpec}, such as for a Flink job.
     *
     * @throws IllegalStateException as {@link #build()} does: no base URL, or HTTP/2 prior knowledge with
     *     an https base URL
     */
    public FanoutClientSpec spec() {
      return toSpec();
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
      if (openTelemetry != null && !ClientTransport.isOpenTelemetry(openTelemetry.getClass())) {
        throw new IllegalArgumentException(
            "openTelemetry is not an io.opentelemetry.api.OpenTelemetry: " + openTelemetry.getClass().getName());
      }
      this.openTelemetry = openTelemetry;
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalStateException if no base URL was set, {@link #http2PriorKnowledge(boolean) HTTP/2 prior knowledge} was asked
     *     for with an https base URL, or {@link VirtualThreads#ON} before Java 21
     */
    public FanoutClient build() {
      return new FanoutClient(this, toSpec());
    }
  }
}
