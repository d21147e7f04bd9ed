package dev.fanout;

import dev.fanout.internal.HttpEngine;
import dev.fanout.internal.RequestChain;
import dev.fanout.internal.Threads;
import dev.fanout.internal.telemetry.StatsTelemetry;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * What a {@link FanoutClient} runs on, built from its spec: the OkHttp client (this record: its dispatcher on
 * virtual threads or a platform pool, sized to {@code maxInFlight}; its connection pool; TLS, proxy and
 * HTTP/2 prior knowledge; the stages every request passes, see {@link RequestChain}), and the call engine
 * over it ({@link #engine}).
 *
 * @param okHttp the tuned client
 * @param dispatcherExecutor the dispatcher's executor, which the client owns: {@link #close()} shuts it down
 * @param virtual whether the dispatcher runs on virtual threads
 * @param ownsPool whether the connection pool is this client's own (not a shared OkHttp client's)
 * @param threadPrefix how the names of this client's threads begin
 */
record ClientTransport(
    OkHttpClient okHttp, ExecutorService dispatcherExecutor, boolean virtual, boolean ownsPool, String threadPrefix) {
  /** How long {@link #close()} waits for the dispatcher's threads to end. */
  private static final long CLOSE_WAIT_MILLIS = 1000;

  /**
   * Builds the transport for {@code spec}, derived from {@code sharedOkHttp} when not null, its stages timed
   * on {@code clock}; dispatcher threads are named {@code threadPrefix}, {@code dispatcher-} and a number.
   *
   * @throws IllegalStateException for {@link VirtualThreads#ON} before Java 21
   */
  static ClientTransport open(FanoutClientSpec spec, OkHttpClient sharedOkHttp, FanoutClock clock,
      String threadPrefix) {
    boolean useVirtual;
    switch (spec.virtualThreads()) {
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
    ExecutorService dispatcherExecutor = useVirtual
        ? Threads.newVirtualThreadPerTaskExecutor(threadPrefix + "dispatcher-")
        : Threads.newPlatformPool(threadPrefix + "dispatcher-");
    Dispatcher dispatcher = new Dispatcher(dispatcherExecutor);
    dispatcher.setMaxRequests(spec.maxInFlight());
    dispatcher.setMaxRequestsPerHost(spec.maxInFlight());

    OkHttpClient.Builder ok = sharedOkHttp != null ? sharedOkHttp.newBuilder() : new OkHttpClient.Builder();
    ok.dispatcher(dispatcher)
        .connectTimeout(spec.connectTimeout())
        .readTimeout(spec.readTimeout())
        .writeTimeout(spec.writeTimeout())
        .callTimeout(Duration.ZERO) // the SDK enforces totalTimeout and attemptTimeout on its clock
        // The SDK is the only retrier: OkHttp's own silent retry of a failed connection would send attempts
        // that the retry policy does not bound and that no trace or attempt count shows.
        .retryOnConnectionFailure(false);
    boolean ownsPool = sharedOkHttp == null;
    ConnectionPool pool = ownsPool
        ? new ConnectionPool(spec.maxInFlight(), spec.keepAlive().toMillis(), TimeUnit.MILLISECONDS)
        : sharedOkHttp.connectionPool();
    ok.connectionPool(pool);
    if (spec.http2PriorKnowledge()) {
      ok.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    // trusted CAs, a client certificate, a proxy: only those set replace what a shared OkHttpClient brought
    dev.fanout.internal.Tls.apply(ok, spec.trustedCertificatesPem(), spec.clientCertificatePem(), spec.proxy(),
        spec.proxyUser(), spec.proxyPassword());
    WireLog wire = spec.wireLogSetting() != null ? spec.wireLogSetting() : WireLog.fromEnvironment();
    RequestChain.configure(ok, sharedOkHttp == null ? null : sharedOkHttp.eventListenerFactory(), pool,
        spec.http2PriorKnowledge(), wire, clock);
    return new ClientTransport(ok.build(), dispatcherExecutor, useVirtual, ownsPool, threadPrefix);
  }

  /**
   * Cancels every call of the client's dispatcher, shuts its executor down and, unless called on one of the
   * client's own threads, waits up to a second for it to end; evicts the connection pool if it is the
   * client's own.
   */
  void close() {
    okHttp.dispatcher().cancelAll();
    dispatcherExecutor.shutdown();
    if (!Thread.currentThread().getName().startsWith(threadPrefix)) {
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

  /**
   * Builds the call engine over {@code okHttp}: the spec's retries, timeouts, routes and redaction, the
   * hedger, the rate-limit governor (when on), and telemetry heard by both {@code stats} and
   * {@code openTelemetry} (when not null).
   */
  static HttpEngine engine(FanoutClientSpec spec, OkHttpClient okHttp, FanoutClock clock,
      Consumer<CallTrace> traceListener, StatsTelemetry stats, Object openTelemetry) {
    return HttpEngine.builder()
        .okHttp(okHttp)
        .baseUrl(spec.baseUrl())
        .defaultHeaders(spec.defaultHeaders())
        .credentials(spec.authScheme().header(),
            spec.apiKey() == null ? null : spec.authScheme().value(spec.apiKey()), spec.apiKey())
        .retryPolicy(spec.retryPolicy())
        .totalTimeout(spec.totalTimeout())
        .attemptTimeout(spec.attemptTimeout())
        .streamIdleTimeout(spec.streamIdleTimeout())
        .maxResponseBytes(spec.maxResponseBytes())
        .routeTemplates(spec.routeTemplates())
        .redactedQueryParameters(spec.redactedQueryParameters())
        .clock(clock)
        .traceListener(traceListener)
        .scopeOf(FanoutContext::scope)
        // the client's stats and its OpenTelemetry (if any) hear the same hooks
        .telemetry(dev.fanout.internal.telemetry.Telemetry.tee(stats, telemetry(openTelemetry, clock)))
        .hedger(dev.fanout.internal.hedge.Hedger.create(spec.hedging(), clock))
        .gate(spec.governor().enabled()
            ? dev.fanout.internal.GovernorGate.of(
                // The dispatcher enforces maxInFlight (and warns when a fan-out reaches it); the governor only
                // holds calls below that, so it is given no ceiling of its own.
                dev.fanout.internal.governor.Governor.create(spec.governor(), Integer.MAX_VALUE, clock,
                    spec.retryPolicy()))
            : dev.fanout.internal.AttemptGate.OPEN)
        .build();
  }

  /**
   * Returns the telemetry for {@code openTelemetry} (null, or an {@code io.opentelemetry.api.OpenTelemetry}
   * the builder checked), timed by {@code clock}. The OpenTelemetry implementation is referred to on the
   * non-null path only, so without OpenTelemetry none of its classes (nor the API's) is loaded.
   */
  private static dev.fanout.internal.telemetry.Telemetry telemetry(Object openTelemetry, FanoutClock clock) {
    return openTelemetry == null
        ? dev.fanout.internal.telemetry.Telemetry.noop()
        : dev.fanout.internal.telemetry.otel.OtelTelemetry.create(openTelemetry, clock);
  }

  /**
   * Returns whether {@code type} is an {@code io.opentelemetry.api.OpenTelemetry}: checked by name, so that
   * no OpenTelemetry class needs to be loadable.
   */
  static boolean isOpenTelemetry(Class<?> type) {
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
}
