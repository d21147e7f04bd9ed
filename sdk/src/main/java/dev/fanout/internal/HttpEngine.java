package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.RetryPolicy;
import dev.fanout.Sleeper;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
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
  private final String authorization;
  private final RetryPolicy retryPolicy;
  private final Duration callTimeout;
  private final long maxResponseBytes;
  private final Sleeper sleeper;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Consumer<CallTrace> traceListener;
  private final java.util.Set<LogicalCall<?>> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean warnedAtLimit = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;

  public HttpEngine(
      OkHttpClient okHttp,
      HttpUrl baseUrl,
      String apiKey,
      RetryPolicy retryPolicy,
      Duration callTimeout,
      long maxResponseBytes,
      Sleeper sleeper,
      ScheduledExecutorService scheduler,
      Clock clock,
      Consumer<CallTrace> traceListener) {
    this.okHttp = okHttp;
    this.baseUrl = baseUrl;
    this.authorization = apiKey == null ? null : "Bearer " + apiKey;
    this.retryPolicy = retryPolicy;
    this.callTimeout = callTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.sleeper = sleeper;
    this.scheduler = scheduler;
    this.clock = clock;
    this.traceListener = traceListener;
  }

  OkHttpClient okHttp() {
    return okHttp;
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  Sleeper sleeper() {
    return sleeper;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  Clock clock() {
    return clock;
  }

  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  /** Refuses new calls and fails every unfinished one with {@link FanoutCancelledException}. */
  public void close() {
    closed = true;
    for (LogicalCall<?> call : live.toArray(new LogicalCall<?>[0])) {
      call.completeExceptionally(new FanoutCancelledException(call.label() + ": the client was closed"));
    }
  }

  /** Returns how many logical calls have started and not finished. */
  public int liveCalls() {
    return live.size();
  }

  void finished(LogicalCall<?> call) {
    live.remove(call);
  }

  /**
   * Resolves {@code path} under the base URL. A leading {@code /} is ignored; absolute URLs and
   * scheme-relative ones ({@code //host}) are rejected so credentials never go to another host.
   */
  public HttpUrl resolve(String path) {
    Objects.requireNonNull(path, "path == null");
    String p = path.strip();
    if (p.startsWith("//") || p.contains("://") || p.startsWith("\\")) {
      throw new IllegalArgumentException("path must be relative to the base URL: " + path);
    }
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    HttpUrl url = baseUrl.resolve(p);
    if (url == null || !url.host().equals(baseUrl.host()) || url.port() != baseUrl.port()) {
      throw new IllegalArgumentException("path does not resolve under the base URL: " + path);
    }
    return url;
  }

  /** Returns a request for {@code method url} with the JSON accept header and credentials. */
  public Request.Builder request(String method, HttpUrl url, RequestBody body) {
    String m = method.toUpperCase(Locale.ROOT);
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    RequestBody effective = body;
    if (effective == null && (m.equals("POST") || m.equals("PUT") || m.equals("PATCH"))) {
      effective = RequestBody.create(new byte[0], JSON);
    }
    return b.method(m, effective);
  }

  /**
   * Creates and starts a logical call, charged against the current {@link CallScope}'s deadline and the
   * client's call timeout, tracked by that scope and traced to it. Must be called on the thread that
   * creates the call (the scope is a thread-local).
   */
  public <T> CompletableFuture<T> start(Request request, LogicalCall.Handler<T> handler) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    CallScope scope = CallScope.current();
    Deadline deadline = scope == null ? Deadline.none() : scope.deadline();
    if (!callTimeout.isZero()) {
      deadline = deadline.min(Deadline.after(callTimeout));
    }
    String label = request.method() + " " + Redaction.pathAndQuery(request.url());
    LogicalCall<T> call = new LogicalCall<>(this, request, label, handler, deadline, scope);
    live.add(call);
    if (closed) {
      live.remove(call);
      throw new IllegalStateException("client is closed");
    }
    if (scope != null) {
      scope.track(call);
    }
    call.start();
    warnOnceIfQueued();
    return call;
  }

  /**
   * Says so, once per client, when calls start waiting for a slot: a fan-out wider than {@code maxInFlight}
   * runs in waves, which must never happen silently.
   */
  private void warnOnceIfQueued() {
    if (warnedAtLimit.get() || okHttp.dispatcher().queuedCallsCount() == 0) {
      return;
    }
    if (warnedAtLimit.compareAndSet(false, true)) {
      LOG.warn("maxInFlight={} reached: further calls wait for a free slot, so a wider fan-out runs in waves."
              + " Raise FanoutClient.Builder.maxInFlight, or bound the fan-out with FanOutOptions.maxInFlight"
              + " to make the limit explicit. (Logged once per client.)",
          okHttp.dispatcher().getMaxRequests());
    }
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
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new FanoutException(String.valueOf(cause), cause);
    }
  }
}
