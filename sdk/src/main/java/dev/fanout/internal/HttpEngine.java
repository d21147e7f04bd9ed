package dev.fanout.internal;

import dev.fanout.internal.telemetry.Telemetry;
import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.RetryPolicy;
import dev.fanout.CallOptions;
import dev.fanout.FanoutClock;
import dev.fanout.FanoutContext;
import dev.fanout.HedgePolicy;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the typed services share: the tuned {@link OkHttpClient}, base URL, credentials, retry policy,
 * deadlines and trace delivery. Creates {@link LogicalCall}s. Not public API.
 */
public final class HttpEngine {
  static final Logger LOG = LoggerFactory.getLogger("dev.fanout");
  public static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final OkHttpClient okHttp;
  private final HttpUrl baseUrl;
  private final String authHeader;
  private final String apiKey;
  private final String authorization;
  private final okhttp3.Headers defaultHeaders;
  private final RetryPolicy retryPolicy;
  private final Duration totalTimeout;
  private final Duration attemptTimeout;
  private final Duration streamIdleTimeout;
  private final long maxResponseBytes;
  private final FanoutClock clock;
  private final AttemptGate gate;
  private final Consumer<CallTrace> traceListener;
  private final Telemetry telemetry;
  private final Function<FanoutContext, CallScope> scopeOf;
  private final dev.fanout.internal.hedge.Hedger hedger;
  private final java.util.Set<LogicalCall<?>> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final InFlightCount inFlight;
  private volatile boolean closed;

  /** The caller's route templates: what per-route state (governor buckets, hedge latencies) keys by. */
  private final RouteTemplates routes;
  /** The query parameter names the client's user added to the redacted ones; null if none. */
  private final Redaction.ExtraNames clientRedactedNames;

  private HttpEngine(Builder b) {
    this.okHttp = Objects.requireNonNull(b.okHttp, "okHttp == null");
    this.inFlight = new InFlightCount(okHttp.dispatcher().getMaxRequests());
    this.baseUrl = Objects.requireNonNull(b.baseUrl, "baseUrl == null");
    this.authHeader = b.authHeader;
    this.apiKey = b.apiKey;
    this.authorization = b.authorization;
    this.defaultHeaders = okhttp3.Headers.of(b.defaultHeaders);
    this.retryPolicy = Objects.requireNonNull(b.retryPolicy, "retryPolicy == null");
    this.totalTimeout = Objects.requireNonNull(b.totalTimeout, "totalTimeout == null");
    this.attemptTimeout = Objects.requireNonNull(b.attemptTimeout, "attemptTimeout == null");
    this.streamIdleTimeout = Objects.requireNonNull(b.streamIdleTimeout, "streamIdleTimeout == null");
    if (b.maxResponseBytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes < 1: " + b.maxResponseBytes);
    }
    this.maxResponseBytes = b.maxResponseBytes;
    this.routes = RouteTemplates.of(b.routeTemplates);
    this.clientRedactedNames = b.redactedQueryParameters.isEmpty()
        ? null : Redaction.ExtraNames.of(b.redactedQueryParameters);
    this.clock = Objects.requireNonNull(b.clock, "clock == null");
    this.gate = b.gate;
    this.traceListener = b.traceListener;
    this.telemetry = b.telemetry;
    this.scopeOf = Objects.requireNonNull(b.scopeOf, "scopeOf == null");
    this.hedger = b.hedger != null ? b.hedger : dev.fanout.internal.hedge.Hedger.create(
        dev.fanout.HedgePolicy.disabled(), this.clock);
  }

  /**
   * Returns a builder; okHttp, baseUrl, retryPolicy, the timeouts, maxResponseBytes, clock and scopeOf are
   * required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The settings of an engine, read from its spec by {@link dev.fanout.FanoutClient}: the client's options
   * are declared and checked there; the engine takes their values.
   */
  public static final class Builder {
    private OkHttpClient okHttp;
    private HttpUrl baseUrl;
    private java.util.Map<String, String> defaultHeaders = java.util.Map.of();
    private String authHeader;
    private String authorization;
    private String apiKey;
    private RetryPolicy retryPolicy;
    private Duration totalTimeout;
    private Duration attemptTimeout;
    private Duration streamIdleTimeout;
    private long maxResponseBytes;
    private FanoutClock clock;
    private AttemptGate gate = AttemptGate.OPEN;
    private Consumer<CallTrace> traceListener;
    private Telemetry telemetry = Telemetry.noop();
    private Function<FanoutContext, CallScope> scopeOf;
    private dev.fanout.internal.hedge.Hedger hedger;
    private java.util.List<String> routeTemplates = java.util.List.of();
    private java.util.Collection<String> redactedQueryParameters = java.util.List.of();

    private Builder() {}

    public Builder okHttp(OkHttpClient v) { this.okHttp = v; return this; }
    public Builder baseUrl(HttpUrl v) { this.baseUrl = v; return this; }
    /** Headers every request carries. None by default. */
    public Builder defaultHeaders(java.util.Map<String, String> v) {
      this.defaultHeaders = Objects.requireNonNull(v, "defaultHeaders == null");
      return this;
    }
    /**
     * The credentials header (name and value, e.g. {@code Authorization: Bearer sk-..}) and the API key it
     * was made from (for redaction); a null key sends none. None by default.
     */
    public Builder credentials(String header, String value, String apiKey) {
      this.authHeader = header;
      this.authorization = apiKey == null ? null : value;
      this.apiKey = apiKey;
      return this;
    }
    public Builder retryPolicy(RetryPolicy v) { this.retryPolicy = v; return this; }
    /** A call's whole time, retries included; zero for none. */
    public Builder totalTimeout(Duration v) { this.totalTimeout = v; return this; }
    /** One attempt's time; zero for none. */
    public Builder attemptTimeout(Duration v) { this.attemptTimeout = v; return this; }
    /** The longest wait between two chunks of a stream; zero for none. */
    public Builder streamIdleTimeout(Duration v) { this.streamIdleTimeout = v; return this; }
    public Builder maxResponseBytes(long v) { this.maxResponseBytes = v; return this; }
    public Builder clock(FanoutClock v) { this.clock = v; return this; }
    /** Where a governor or limiter plugs in; {@link AttemptGate#OPEN} by default. */
    public Builder gate(AttemptGate v) { this.gate = Objects.requireNonNull(v, "gate == null"); return this; }
    public Builder traceListener(Consumer<CallTrace> v) { this.traceListener = v; return this; }

    /**
     * How a call's context gives up its scope (null for {@link FanoutContext#none()}); the client passes
     * {@code FanoutContext::scope}, which only its package can read.
     */
    public Builder scopeOf(Function<FanoutContext, CallScope> v) { this.scopeOf = v; return this; }

    /** Where spans and metrics go; {@link Telemetry#noop()} by default. */
    public Builder telemetry(Telemetry v) { this.telemetry = Objects.requireNonNull(v, "telemetry == null"); return this; }

    /** The client's hedger (its policy, budget and route latencies); one that never hedges by default. */
    public Builder hedger(dev.fanout.internal.hedge.Hedger v) { this.hedger = Objects.requireNonNull(v, "hedger == null"); return this; }

    /** The caller's route templates (checked by the client's builder), tried in order. None by default. */
    public Builder routeTemplates(java.util.List<String> v) {
      this.routeTemplates = Objects.requireNonNull(v, "routeTemplates == null");
      return this;
    }

    /** Query parameter names redacted beside the defaults. None by default. */
    public Builder redactedQueryParameters(java.util.Collection<String> v) {
      this.redactedQueryParameters = Objects.requireNonNull(v, "redactedQueryParameters == null");
      return this;
    }

    public HttpEngine build() {
      return new HttpEngine(this);
    }
  }

  OkHttpClient okHttp() {
    return okHttp;
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  FanoutClock clock() {
    return clock;
  }

  AttemptGate gate() {
    return gate;
  }

  /** Where the client's spans and metrics go. */
  Telemetry telemetry() {
    return telemetry;
  }

  /** Returns the client's hedger. */
  public dev.fanout.internal.hedge.Hedger hedger() {
    return hedger;
  }

  Duration attemptTimeout() {
    return attemptTimeout;
  }

  Duration streamIdleTimeout() {
    return streamIdleTimeout;
  }

  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  /** The client's API key, or null; for services that send it in a header of their own (x-api-key). */
  String apiKey() {
    return apiKey;
  }

  /**
   * Refuses new calls and fails every unfinished one with {@link FanoutCancelledException}. Closed is set
   * first, so a request the client's queue releases while the calls are being cancelled is refused at the
   * {@link HandOff}: none is sent after this returns.
   */
  public void close() {
    closed = true;
    // The gate first: its waiters fail and it admits nothing more, so a slot freed by a call cancelled
    // below cannot send a waiting call to the server on its way out.
    try {
      gate.close();
    } catch (RuntimeException e) {
      LOG.warn("the attempt gate failed to close", e);
    }
    for (LogicalCall<?> call : live.toArray(new LogicalCall<?>[0])) {
      call.refuse("the client was closed");
    }
  }

  /** True once {@link #close()} has begun: no request of this client passes the {@link HandOff} after. */
  boolean isClosed() {
    return closed;
  }

  /** Returns how many logical calls have started and not finished. */
  public int liveCalls() {
    return live.size();
  }

  void finished(LogicalCall<?> call) {
    live.remove(call);
  }

  /**
   * Resolves {@code path} against the base URL as a URL reference (RFC 3986, section 5.2, as a browser and
   * Retrofit do): {@code search} is under the base URL's path, {@code /search} is from the host's root,
   * {@code ../search} goes up one segment. The result must be on the base URL's scheme, host and port, so
   * the API key is never sent elsewhere: an absolute URL to another origin or a scheme-relative one to
   * another host ({@code //host/x}) is rejected, naming it.
   */
  public HttpUrl resolve(String path) {
    Objects.requireNonNull(path, "path == null");
    String p = path.strip();
    if (p.startsWith("\\")) {
      throw new IllegalArgumentException("path is not a URL reference: " + path);
    }
    HttpUrl url = baseUrl.resolve(p);
    if (url == null) {
      throw new IllegalArgumentException("path is not a URL reference: " + path);
    }
    if (!url.scheme().equals(baseUrl.scheme()) || !url.host().equals(baseUrl.host()) || url.port() != baseUrl.port()) {
      throw new IllegalArgumentException("path " + path + " leaves the base URL's origin " + baseUrl.scheme() + "://"
          + baseUrl.host() + ":" + baseUrl.port() + " (the API key is sent only there)");
    }
    return url;
  }

  /** Returns a request for {@code method url} with the JSON accept header and credentials. */
  public Request.Builder request(String method, HttpUrl url, RequestBody body) {
    String m = method.toUpperCase(Locale.ROOT);
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    for (int i = 0; i < defaultHeaders.size(); i++) {
      b.header(defaultHeaders.name(i), defaultHeaders.value(i));
    }
    if (authorization != null) {
      b.header(authHeader, authorization);
    }
    RequestBody effective = body;
    if (effective == null && (m.equals("POST") || m.equals("PUT") || m.equals("PATCH"))) {
      effective = RequestBody.create(new byte[0], JSON);
    }
    return b.method(m, effective);
  }

  /**
   * Creates and starts a logical call under {@code options}: bound to their context (or the current one),
   * charged against its deadline and the total timeout, registered with it and traced to it. A call
   * through a cancelled context returns a future failed at once with {@link FanoutCancelledException}.
   *
   * @throws IllegalStateException if the client is closed
   */
  public <T> CompletableFuture<T> start(Request request, LogicalCall.Handler<T> handler, CallOptions options) {
    FanoutContext context = options.context() != null ? options.context() : FanoutContext.current();
    CallScope scope = scopeOf.apply(context);
    if (clientRedactedNames != null) {
      // every place that shows this request's URL or takes its secrets out of text reads the names from it
      request = request.newBuilder().tag(Redaction.ExtraNames.class, clientRedactedNames).build();
    }
    String label = options.label() != null
        ? options.label()
        : request.method() + " " + Redaction.pathAndQuery(request);
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    if (scope != null && scope.isCancelled()) {
      return CompletableFuture.failedFuture(
          new FanoutCancelledException(label + ": its context was cancelled (" + scope.cancelledBecause() + ")"));
    }
    Deadline deadline = context.deadline();
    Duration timeout = options.timeout() != null ? options.timeout() : totalTimeout;
    if (!timeout.isZero()) {
      deadline = deadline.min(Deadline.after(timeout, clock));
    }
    // The route its per-route state keys by: the caller's, else the client's first matching template, else the
    // path with its ids as *. The governor finds it on the request.
    String routeKey = options.route() != null ? options.route() : routes.route(request.url().encodedPath());
    Request.Builder rb = request.newBuilder().tag(RouteTemplates.Tag.class, new RouteTemplates.Tag(routeKey));
    options.headers().forEach(rb::header);
    request = rb.build();
    RetryPolicy policy = options.retryPolicy() != null ? options.retryPolicy() : retryPolicy;
    HedgePolicy hedging = options.hedging() != null ? options.hedging() : hedger.policy();
    // Latencies are kept per route: host, port, method and the route.
    String route = !hedging.enabled() ? "" : request.url().host() + ":" + request.url().port() + " "
        + request.method() + " " + routeKey;
    CallSpec<T> spec = new CallSpec<>(request, label, handler, deadline, policy, context, scope, hedging, route,
        options.idempotent());
    LogicalCall<T> call = new LogicalCall<>(this, spec, hedger);
    live.add(call);
    if (closed) {
      live.remove(call);
      throw new IllegalStateException("client is closed");
    }
    if (scope != null && !scope.register(call)) {
      call.refuse("its context was cancelled (" + scope.cancelledBecause() + ")");
      return call;
    }
    call.start();
    return call;
  }

  /** Returns the count of the client's requests in flight, against its {@code maxInFlight}. */
  InFlightCount inFlight() {
    return inFlight;
  }

  /** True if the client has a trace listener: every call's trace goes to it. */
  boolean hasTraceListener() {
    return traceListener != null;
  }

  void deliverTrace(CallTrace trace) {
    if (traceListener == null) {
      return;
    }
    try {
      traceListener.accept(trace);
    } catch (RuntimeException e) {
      LOG.warn("trace listener failed for {}", trace.label(), e);
    }
  }

  /**
   * Waits for {@code future} and returns its value, rethrowing its failure unwrapped. An interrupt
   * cancels the call, restores the interrupt flag and throws {@link FanoutCancelledException}.
   */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while waiting for a call", e);
    } catch (CancellationException e) {
      throw new FanoutCancelledException("call was cancelled", e);
    } catch (ExecutionException e) {
      throw Futures.rethrowable(e);
    }
  }
}
