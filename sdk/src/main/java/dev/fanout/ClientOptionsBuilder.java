package dev.fanout;

import java.time.Duration;
import java.util.Objects;

/**
 * The client options every builder of a {@link FanoutClient} shares: each option is declared, checked and
 * documented once, and {@link FanoutClient.Builder} and {@link FanoutClientSpec.Builder} both inherit it. What
 * these setters gather is a {@link FanoutClientSpec}, the serializable value a client is built from. The
 * options come in two groups: how the client reaches its server (base URL, API key and auth scheme, default
 * headers, TLS, proxy, HTTP/2 prior knowledge, connect, read and write timeouts, keep-alive), and what each
 * call may do (its total and attempt budgets, stream idle timeout, {@code maxInFlight}, retries, governor,
 * hedging, response size, dispatcher threads), with how calls are shown (wire log, routes, redaction).
 *
 * <p>Every setter checks its argument and names a bad value in its {@link IllegalArgumentException} (the API
 * key's value is never shown). Not meant to be extended outside this package.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ClientOptionsBuilder<B extends ClientOptionsBuilder<B>> extends ConnectionOptionsBuilder<B> {
  Duration totalTimeout = FanoutClient.DEFAULT_TOTAL_TIMEOUT;
  Duration attemptTimeout = FanoutClient.DEFAULT_ATTEMPT_TIMEOUT;
  Duration streamIdleTimeout = FanoutClient.DEFAULT_STREAM_IDLE_TIMEOUT;
  int maxInFlight = FanoutClient.DEFAULT_MAX_IN_FLIGHT;
  RetryPolicy retryPolicy = RetryPolicy.defaults();
  VirtualThreads virtualThreads = FanoutClient.DEFAULT_VIRTUAL_THREADS;
  long maxResponseBytes = FanoutClient.DEFAULT_MAX_RESPONSE_BYTES;
  GovernorPolicy governor = FanoutClient.DEFAULT_GOVERNOR;
  HedgePolicy hedging = FanoutClient.DEFAULT_HEDGING;
  WireLog wireLog;
  java.util.List<String> routeTemplates = FanoutClient.DEFAULT_ROUTE_TEMPLATES;
  java.util.Set<String> redactedQueryParameters = FanoutClient.DEFAULT_REDACTED_QUERY_PARAMETERS;

  ClientOptionsBuilder() {}

  /**
   * Sets every option to {@code spec}'s, through the setters (so a deserialized spec is checked again).
   * The one list of every option, which copying, {@link FanoutClient.Builder#spec(FanoutClientSpec)} and
   * deserializing share.
   */
  final B options(FanoutClientSpec spec) {
    Objects.requireNonNull(spec, "spec == null");
    if (spec.baseUrlText() != null) {
      baseUrl(spec.baseUrlText());
    }
    return apiKey(spec.apiKey())
        .connectTimeout(spec.connectTimeout())
        .readTimeout(spec.readTimeout())
        .writeTimeout(spec.writeTimeout())
        .totalTimeout(spec.totalTimeout())
        .attemptTimeout(spec.attemptTimeout())
        .streamIdleTimeout(spec.streamIdleTimeout())
        .maxInFlight(spec.maxInFlight())
        .retryPolicy(spec.retryPolicy())
        .http2PriorKnowledge(spec.http2PriorKnowledge())
        .virtualThreads(spec.virtualThreads())
        .maxResponseBytes(spec.maxResponseBytes())
        .governor(spec.governor())
        .hedging(spec.hedging())
        .keepAlive(spec.keepAlive())
        .authScheme(spec.authScheme())
        .defaultHeaders(spec.defaultHeaders())
        .trustedCertificatesPem(spec.trustedCertificatesPem())
        .clientCertificatePem(spec.clientCertificatePem())
        .proxy(spec.proxy())
        .proxyCredentials(spec.proxyUser(), spec.proxyPassword())
        .wireLog(spec.wireLogSetting())
        .routeTemplates(spec.routeTemplates())
        .redactedQueryParameters(spec.redactedQueryParameters());
  }

  /**
   * Returns the options set so far as a spec.
   *
   * @throws IllegalStateException if no base URL was set, or {@link #http2PriorKnowledge(boolean)} was asked
   *     for with an https base URL
   */
  final FanoutClientSpec toSpec() {
    if (baseUrl == null) {
      throw new IllegalStateException("baseUrl == null: set it with baseUrl(...)");
    }
    if (http2PriorKnowledge && baseUrl.isHttps()) {
      throw new IllegalStateException("http2PriorKnowledge needs an http base URL: " + baseUrl);
    }
    return new FanoutClientSpec(this);
  }

  /**
   * Sets the budget of a whole logical call, from its creation (queueing, every attempt and every backoff
   * included); the earlier of it and a fan-out's deadline applies ({@link CallOptions.Builder#timeout}
   * overrides it per call). When it passes, the call is cancelled and fails with
   * {@link dev.fanout.errors.FanoutTimeoutException}. Zero means no limit. Defaults to
   * {@link FanoutClient#DEFAULT_TOTAL_TIMEOUT} (10 min).
   */
  public B totalTimeout(Duration totalTimeout) {
    this.totalTimeout = nonNegative(totalTimeout, "totalTimeout");
    return self();
  }

  /**
   * Sets the budget of each attempt, from its admission to its response headers and body; when it
   * passes, the attempt is cancelled and fails with {@link dev.fanout.errors.FanoutTimeoutException},
   * which the default {@link RetryPolicy} retries. Zero means none (only the connect, read and write
   * timeouts apply). Defaults to {@link FanoutClient#DEFAULT_ATTEMPT_TIMEOUT} (0, none).
   */
  public B attemptTimeout(Duration attemptTimeout) {
    this.attemptTimeout = nonNegative(attemptTimeout, "attemptTimeout");
    return self();
  }

  /**
   * Sets how long a streamed response may go without progress: a data event carrying content or refusal
   * text, a tool-call fragment, usage, a finish reason, or {@code [DONE]}. Comments such as {@code : ping},
   * data events that carry none of these ({@code {"choices":[]}}, an empty delta) and bytes dripped inside
   * an event do not count. Measured on the client's {@link FanoutClock} from the response headers and from
   * each event that made progress. When it passes, the stream is
   * cancelled and the call fails with {@link dev.fanout.errors.FanoutTimeoutException}, not retried (deltas
   * may have been delivered). Zero means none. Defaults to {@link FanoutClient#DEFAULT_STREAM_IDLE_TIMEOUT}
   * (5 min).
   */
  public B streamIdleTimeout(Duration streamIdleTimeout) {
    this.streamIdleTimeout = nonNegative(streamIdleTimeout, "streamIdleTimeout");
    return self();
  }

  /**
   * Sets how many calls may be in flight at once; OkHttp's {@code maxRequests}, {@code maxRequestsPerHost}
   * and the pool's idle connections are sized to it. Further calls wait in the dispatcher's queue (their
   * queue time shows in the {@link CallTrace}). Defaults to {@link FanoutClient#DEFAULT_MAX_IN_FLIGHT}
   * (1,024).
   */
  public B maxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    return self();
  }

  /**
   * Sets when and how calls are retried; {@link RetryPolicy#none()} disables retries. Defaults to
   * {@link RetryPolicy#defaults()}.
   */
  public B retryPolicy(RetryPolicy retryPolicy) {
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy == null");
    return self();
  }

  /**
   * Sets whether OkHttp's dispatcher runs on virtual threads. Defaults to
   * {@link FanoutClient#DEFAULT_VIRTUAL_THREADS} ({@link VirtualThreads#AUTO}).
   */
  public B virtualThreads(VirtualThreads virtualThreads) {
    this.virtualThreads = Objects.requireNonNull(virtualThreads, "virtualThreads == null");
    return self();
  }

  /**
   * Sets the largest response body (or streamed data) a call reads; a larger one fails with
   * {@link dev.fanout.errors.DecodeException} after reading at most this many bytes plus one. Defaults
   * to {@link FanoutClient#DEFAULT_MAX_RESPONSE_BYTES} (16 MiB).
   */
  public B maxResponseBytes(long maxResponseBytes) {
    if (maxResponseBytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes < 1: " + maxResponseBytes);
    }
    this.maxResponseBytes = maxResponseBytes;
    return self();
  }

  /**
   * Sets the rate-limit governor: it paces calls by the limits servers publish ({@code x-ratelimit-*},
   * {@code anthropic-ratelimit-*}, IETF {@code RateLimit}), pauses a bucket for every call on a 429 (the
   * retry of that 429 waits for the pause instead of its own backoff), and from the first 429 caps a
   * bucket's concurrency adaptively (AIMD). A server that publishes no limits and sends no 429 is not
   * slowed. {@link #maxInFlight(int)} stays the hard ceiling. {@link GovernorPolicy#disabled()} turns it
   * off. Defaults to {@link FanoutClient#DEFAULT_GOVERNOR} (on: {@link GovernorPolicy#defaults()}).
   */
  public B governor(GovernorPolicy governor) {
    this.governor = Objects.requireNonNull(governor, "governor == null");
    return self();
  }

  /**
   * Sets when this client sends a backup ("hedge") of a slow call: after a fixed delay
   * ({@link HedgePolicy#fixed}) or after the route's observed p95 ({@link HedgePolicy#auto()}), at most
   * {@code maxBackups} per attempt, within a client-wide budget of extra requests (10% of calls by
   * default). <b>Only idempotent calls are hedged</b>: {@code GET}, {@code HEAD} and {@code OPTIONS}, and
   * others whose {@link CallOptions#idempotent()} is set. The first success wins and every other request
   * of the call is cancelled at the socket; a hedge is not a retry ({@link CallTrace#attempts()} does not
   * count it; {@link CallTrace#hedgesSent()} does). Hedges wait for the governor like any attempt and are
   * never sent while the client is at {@link #maxInFlight(int)}. A call may override it with
   * {@link CallOptions.Builder#hedging}. Defaults to {@link FanoutClient#DEFAULT_HEDGING} (off).
   */
  public B hedging(HedgePolicy hedging) {
    this.hedging = Objects.requireNonNull(hedging, "hedging == null");
    return self();
  }

  /**
   * Logs each request and response (headers, or headers and bodies), redacted and cut short, at INFO on the
   * SLF4J logger {@code dev.fanout.wire}; see {@link WireLog}. {@code null} takes the level from the {@value
   * WireLog#ENV} environment variable when the client is built. Defaults to null ({@value WireLog#ENV}, else
   * {@link WireLog#NONE}).
   */
  public B wireLog(WireLog wireLog) {
    this.wireLog = wireLog;
    return self();
  }

  /**
   * Sets the route templates, tried in order: a request whose path matches one counts under it in the
   * client's per-route state (the rate-limit governor's bucket, the latencies {@link HedgePolicy#auto()}
   * hedges by). A template is a full path (with the base URL's path) whose segments are literal or a wildcard,
   * {@code *} or {@code {name}}, standing for any one non-empty segment: {@code /v1/users/{name}} makes
   * {@code /v1/users/alice} and {@code /v1/users/bob} one route. A path no template matches has its id-like
   * segments (digits, long or opaque tokens) replaced by {@code *}, which keeps words such as names apart;
   * the client bounds how many routes it keeps either way, but one template per endpoint keeps their state
   * shared. A call may name its route with {@link CallOptions.Builder#route(String)}. Defaults to
   * {@link FanoutClient#DEFAULT_ROUTE_TEMPLATES} (none).
   *
   * @throws IllegalArgumentException if the list or a template is null, a template does not start with
   *     {@code /}, has a query, fragment or space, or a brace that is not a whole {@code {name}} segment
   */
  public B routeTemplates(java.util.List<String> templates) {
    if (templates == null) {
      throw new IllegalArgumentException("routeTemplates == null");
    }
    java.util.List<String> copy = new java.util.ArrayList<>(templates.size());
    for (String t : templates) {
      copy.add(dev.fanout.internal.RouteTemplates.check(t));
    }
    this.routeTemplates = java.util.List.copyOf(copy);
    return self();
  }

  /** Sets the route templates; see {@link #routeTemplates(java.util.List)}. */
  public B routeTemplates(String... templates) {
    if (templates == null) {
      throw new IllegalArgumentException("routeTemplates == null");
    }
    return routeTemplates(java.util.Arrays.asList(templates));
  }

  /**
   * Sets query parameter names whose values this client redacts beside the defaults
   * ({@link FanoutClient#DEFAULT_REDACTED_NAMES} and any name containing one of
   * {@link FanoutClient#DEFAULT_REDACTED_NAME_PARTS}), wherever it shows a URL (exception messages, the
   * {@link CallTrace} label, {@code ServiceException.url()}, the wire log, OpenTelemetry's {@code url.full})
   * and wherever a server echoes their values back (bodies, headers, stream events). Names are compared
   * ignoring case, with {@code -} read as {@code _}; a value shorter than 8 characters is shown as
   * {@code ██} in URLs but not looked for in echoed text. Defaults to
   * {@link FanoutClient#DEFAULT_REDACTED_QUERY_PARAMETERS} (none beyond the defaults).
   *
   * @throws IllegalArgumentException if the collection or a name is null or blank
   */
  public B redactedQueryParameters(java.util.Collection<String> names) {
    if (names == null) {
      throw new IllegalArgumentException("redactedQueryParameters == null");
    }
    java.util.Set<String> copy = new java.util.TreeSet<>();
    for (String n : names) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("redacted query parameter name is null or blank: " + n);
      }
      copy.add(n);
    }
    this.redactedQueryParameters = java.util.Collections.unmodifiableSet(copy);
    return self();
  }

  /** Sets query parameter names to redact beside the defaults; see {@link #redactedQueryParameters(java.util.Collection)}. */
  public B redactedQueryParameters(String... names) {
    if (names == null) {
      throw new IllegalArgumentException("redactedQueryParameters == null");
    }
    return redactedQueryParameters(java.util.Arrays.asList(names));
  }
}
