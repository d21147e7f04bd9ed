package dev.fanout;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import okhttp3.HttpUrl;

/**
 * A client spec is the serializable part of a {@link FanoutClient}'s configuration: where the backend is, its
 * API key, timeouts, {@code maxInFlight}, retries, protocol, threads, response limit, governor, hedging and
 * connection keep-alive. It is an immutable value, the one a client is built from: {@link FanoutClient.Builder}
 * and {@link Builder} share its setters ({@link ClientOptionsBuilder}), and the client's builder adds what cannot
 * travel (clock, OkHttp client, trace listener, OpenTelemetry).
 *
 * <pre>{@code
 * FanoutClientSpec spec = FanoutClientSpec.builder()
 *     .baseUrl("https://api.example.com/v1")
 *     .maxInFlight(200)
 *     .governor(GovernorPolicy.defaults())
 *     .build();
 * try (FanoutClient client = FanoutClient.builder().spec(spec).build()) { ... }
 * }</pre>
 *
 * <h2>It travels.</h2>
 * A spec is {@link Serializable} (its policies are serializable values), so one spec can be written into a job
 * graph, such as a Flink function's, and every task builds the same client from it. Deserializing a spec runs
 * its builder's checks again.
 *
 * <h2>The API key travels with it.</h2>
 * A spec with an {@link Builder#apiKey(String) API key} carries the key in its serialized form; the key never
 * appears in {@link #toString()}, and no public method returns it. Where the serialized form is not secret,
 * leave the key out and add it on the host that builds the client ({@code FanoutClient.builder().spec(spec)
 * .apiKey(..)}).
 *
 * <h2>Every spec builds a client.</h2>
 * {@link Builder#build()} checks what a client needs (a base URL; an {@code http} one for HTTP/2 prior
 * knowledge), with the messages {@link FanoutClient.Builder#build()} gives; only {@link VirtualThreads#ON} on a
 * JVM before Java 21 is left to the client's build, since it depends on the host.
 */
public final class FanoutClientSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Kept as text: {@link HttpUrl} is not serializable. Always ends in {@code /}. */
  private final String baseUrl;
  private final String apiKey;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;
  private final Duration totalTimeout;
  private final Duration attemptTimeout;
  private final Duration streamIdleTimeout;
  private final int maxInFlight;
  private final RetryPolicy retryPolicy;
  private final boolean http2PriorKnowledge;
  private final VirtualThreads virtualThreads;
  private final long maxResponseBytes;
  private final GovernorPolicy governor;
  private final HedgePolicy hedging;
  private final Duration keepAlive;
  private final AuthScheme authScheme;
  private final java.util.TreeMap<String, String> defaultHeaders;
  private final String trustedCertificatesPem;
  private final String clientCertificatePem;
  private final String proxy;
  private final String proxyUser;
  private final String proxyPassword;
  private final WireLog wireLog;
  /** Null in a spec serialized before it existed: read as none. */
  private final java.util.ArrayList<String> routeTemplates;
  /** Null in a spec serialized before it existed: read as none. */
  private final java.util.TreeSet<String> redactedQueryParameters;
  private transient HttpUrl url;

  FanoutClientSpec(ClientOptionsBuilder<?> b) {
    this.url = b.baseUrl;
    this.baseUrl = b.baseUrl.toString();
    this.apiKey = b.apiKey;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.totalTimeout = b.totalTimeout;
    this.attemptTimeout = b.attemptTimeout;
    this.streamIdleTimeout = b.streamIdleTimeout;
    this.maxInFlight = b.maxInFlight;
    this.retryPolicy = b.retryPolicy;
    this.http2PriorKnowledge = b.http2PriorKnowledge;
    this.virtualThreads = b.virtualThreads;
    this.maxResponseBytes = b.maxResponseBytes;
    this.governor = b.governor;
    this.hedging = b.hedging;
    this.keepAlive = b.keepAlive;
    this.authScheme = b.authScheme;
    this.defaultHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    this.defaultHeaders.putAll(b.defaultHeaders);
    this.trustedCertificatesPem = b.trustedCertificatesPem;
    this.clientCertificatePem = b.clientCertificatePem;
    this.proxy = b.proxy;
    this.proxyUser = b.proxyUser;
    this.proxyPassword = b.proxyPassword;
    this.wireLog = b.wireLog;
    this.routeTemplates = new java.util.ArrayList<>(b.routeTemplates);
    this.redactedQueryParameters = new java.util.TreeSet<>(b.redactedQueryParameters);
  }

  /** Returns the route templates, in the order they are tried; see {@link Builder#routeTemplates(java.util.List)}. */
  public java.util.List<String> routeTemplates() {
    return routeTemplates == null ? java.util.List.of() : java.util.List.copyOf(routeTemplates);
  }

  /**
   * Returns the query parameter names redacted beside the defaults; see
   * {@link Builder#redactedQueryParameters(java.util.Collection)}.
   */
  public java.util.Set<String> redactedQueryParameters() {
    return redactedQueryParameters == null ? java.util.Set.of()
        : java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(redactedQueryParameters));
  }

  /** The request log level set; null when it comes from the {@value WireLog#ENV} environment variable. */
  public WireLog wireLogSetting() {
    return wireLog;
  }

  /** How the API key is sent. */
  public AuthScheme authScheme() {
    return authScheme == null ? FanoutClient.DEFAULT_AUTH_SCHEME : authScheme;
  }

  /** The headers sent on every call, by name (case-insensitive). */
  public java.util.Map<String, String> defaultHeaders() {
    return defaultHeaders == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(defaultHeaders);
  }

  /** The CA certificates trusted beside the JDK's, as PEM; null for the JDK's only. */
  public String trustedCertificatesPem() {
    return trustedCertificatesPem;
  }

  /** The client certificate and its key, as PEM; not public: it holds the private key. */
  String clientCertificatePem() {
    return clientCertificatePem;
  }

  /** True if the client presents a certificate. */
  public boolean hasClientCertificate() {
    return clientCertificatePem != null;
  }

  /** The HTTP proxy, {@code host:port}; null for none. */
  public String proxy() {
    return proxy;
  }

  /** The proxy's user name; null for none. */
  public String proxyUser() {
    return proxyUser;
  }

  String proxyPassword() {
    return proxyPassword;
  }

  /** Returns a builder with the defaults of {@link FanoutClient}; {@link Builder#baseUrl(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with this spec's settings. */
  public Builder newBuilder() {
    return new Builder().options(this);
  }

  /** Returns the base URL every path is resolved against (always ending in {@code /}). */
  public HttpUrl baseUrl() {
    HttpUrl u = url;
    if (u == null) {
      u = HttpUrl.get(baseUrl);
      url = u;
    }
    return u;
  }

  /** The base URL as serialized. */
  String baseUrlText() {
    return baseUrl;
  }

  /** Returns true if this spec carries an API key (which no method returns). */
  public boolean hasApiKey() {
    return apiKey != null;
  }

  /** The key, for the client this spec builds; not public, so that no caller can print it by accident. */
  String apiKey() {
    return apiKey;
  }

  /** Returns the connect timeout per attempt; zero means none. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Returns the read timeout per attempt; zero means none. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Returns the write timeout per attempt; zero means none. */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /** Returns the budget of a whole logical call; zero means no limit. */
  public Duration totalTimeout() {
    return totalTimeout;
  }

  /** Returns the budget of each attempt; zero means none. */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** Returns how long a stream may go without progress (content, a tool call, usage); zero means none. */
  public Duration streamIdleTimeout() {
    return streamIdleTimeout;
  }

  /** Returns the client-wide ceiling of requests in flight. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Returns the retry policy. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Returns true if the client speaks HTTP/2 without TLS from the first byte. */
  public boolean http2PriorKnowledge() {
    return http2PriorKnowledge;
  }

  /** Returns whether the dispatcher runs on virtual threads. */
  public VirtualThreads virtualThreads() {
    return virtualThreads;
  }

  /** Returns the largest response body a call reads. */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /** Returns the rate-limit governor's policy. */
  public GovernorPolicy governor() {
    return governor;
  }

  /** Returns the hedging policy. */
  public HedgePolicy hedging() {
    return hedging;
  }

  /** Returns how long an idle pooled connection is kept. */
  public Duration keepAlive() {
    return keepAlive;
  }

  /** Lists every option; the API key shows as {@code ██} or {@code none}. */
  @Override
  public String toString() {
    return "FanoutClientSpec{baseUrl=" + baseUrl
        + ", apiKey=" + (apiKey == null ? "none" : "██")
        + ", connectTimeout=" + connectTimeout
        + ", readTimeout=" + readTimeout
        + ", writeTimeout=" + writeTimeout
        + ", totalTimeout=" + totalTimeout
        + ", attemptTimeout=" + attemptTimeout
        + ", streamIdleTimeout=" + streamIdleTimeout
        + ", maxInFlight=" + maxInFlight
        + ", retryPolicy=" + retryPolicy
        + ", http2PriorKnowledge=" + http2PriorKnowledge
        + ", virtualThreads=" + virtualThreads
        + ", maxResponseBytes=" + maxResponseBytes
        + ", governor=" + governor
        + ", hedging=" + hedging
        + ", keepAlive=" + keepAlive
        + ", authScheme=" + authScheme()
        + ", defaultHeaders=" + defaultHeaders().keySet()
        + ", trustedCertificates=" + (trustedCertificatesPem == null ? "JDK" : "JDK+PEM")
        + ", clientCertificate=" + (clientCertificatePem == null ? "none" : "██")
        + ", wireLog=" + (wireLog == null ? "$" + WireLog.ENV : wireLog)
        + ", routeTemplates=" + routeTemplates()
        + ", redactedQueryParameters=" + redactedQueryParameters()
        + ", proxy=" + (proxy == null ? "none" : proxy + (proxyUser == null ? "" : " as " + proxyUser + ":██")) + '}';
  }

  /** Runs the builder's checks on what was read, so that a tampered stream cannot make a bad spec. */
  private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    try {
      new Builder().options(this).build();
    } catch (RuntimeException e) {
      InvalidObjectException invalid = new InvalidObjectException("not a valid FanoutClientSpec: " + e.getMessage());
      invalid.initCause(e);
      throw invalid;
    }
  }

  /**
   * Builds a {@link FanoutClientSpec}. Its setters, their checks and their defaults are the ones every client
   * builder shares ({@link ClientOptionsBuilder}).
   */
  public static final class Builder extends ClientOptionsBuilder<Builder> {
    private Builder() {}

    /**
     * Builds the spec.
     *
     * @throws IllegalStateException if no base URL was set, or {@link #http2PriorKnowledge(boolean)} was asked
     *     for with an https base URL
     */
    public FanoutClientSpec build() {
      return toSpec();
    }
  }
}
