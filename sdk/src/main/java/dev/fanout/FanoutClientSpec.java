package dev.fanout;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * A client spec is the serializable part of a {@link FanoutClient}'s configuration: where the backend is, its
 * API key, timeouts, {@code maxInFlight}, retries, protocol, threads, response limit, governor, hedging and
 * connection keep-alive. It is an immutable value; {@link FanoutClient.Builder} keeps its serializable options
 * in one and adds what cannot travel (clock, OkHttp client, trace listener, OpenTelemetry).
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
  private transient HttpUrl url;

  private FanoutClientSpec(Builder b) {
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
  }

  /** Returns a builder with the defaults of {@link FanoutClient}; {@link Builder#baseUrl(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with this spec's settings. */
  public Builder newBuilder() {
    return new Builder(this);
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
        + ", keepAlive=" + keepAlive + '}';
  }

  /** Runs the builder's checks on what was read, so that a tampered stream cannot make a bad spec. */
  private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    try {
      Builder b = new Builder();
      b.baseUrl(baseUrl).apiKey(apiKey)
          .connectTimeout(connectTimeout).readTimeout(readTimeout).writeTimeout(writeTimeout)
          .totalTimeout(totalTimeout).attemptTimeout(attemptTimeout).streamIdleTimeout(streamIdleTimeout)
          .maxInFlight(maxInFlight).retryPolicy(retryPolicy).http2PriorKnowledge(http2PriorKnowledge)
          .virtualThreads(virtualThreads).maxResponseBytes(maxResponseBytes).governor(governor)
          .hedging(hedging).keepAlive(keepAlive)
          .build();
    } catch (RuntimeException e) {
      InvalidObjectException invalid = new InvalidObjectException("not a valid FanoutClientSpec: " + e.getMessage());
      invalid.initCause(e);
      throw invalid;
    }
  }

  /**
   * Builds a {@link FanoutClientSpec}. Every setter validates its argument and names a bad value in its
   * exception (the API key's value is never shown); defaults are {@link FanoutClient}'s {@code DEFAULT_*}.
   */
  public static final class Builder {
    private HttpUrl baseUrl;
    private String apiKey;
    private Duration connectTimeout = FanoutClient.DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = FanoutClient.DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = FanoutClient.DEFAULT_WRITE_TIMEOUT;
    private Duration totalTimeout = FanoutClient.DEFAULT_TOTAL_TIMEOUT;
    private Duration attemptTimeout = FanoutClient.DEFAULT_ATTEMPT_TIMEOUT;
    private Duration streamIdleTimeout = FanoutClient.DEFAULT_STREAM_IDLE_TIMEOUT;
    private int maxInFlight = FanoutClient.DEFAULT_MAX_IN_FLIGHT;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private boolean http2PriorKnowledge;
    private VirtualThreads virtualThreads = FanoutClient.DEFAULT_VIRTUAL_THREADS;
    private long maxResponseBytes = FanoutClient.DEFAULT_MAX_RESPONSE_BYTES;
    private GovernorPolicy governor = FanoutClient.DEFAULT_GOVERNOR;
    private HedgePolicy hedging = FanoutClient.DEFAULT_HEDGING;
    private Duration keepAlive = FanoutClient.DEFAULT_KEEP_ALIVE;

    private Builder() {}

    private Builder(FanoutClientSpec s) {
      this.baseUrl = s.baseUrl();
      this.apiKey = s.apiKey;
      this.connectTimeout = s.connectTimeout;
      this.readTimeout = s.readTimeout;
      this.writeTimeout = s.writeTimeout;
      this.totalTimeout = s.totalTimeout;
      this.attemptTimeout = s.attemptTimeout;
      this.streamIdleTimeout = s.streamIdleTimeout;
      this.maxInFlight = s.maxInFlight;
      this.retryPolicy = s.retryPolicy;
      this.http2PriorKnowledge = s.http2PriorKnowledge;
      this.virtualThreads = s.virtualThreads;
      this.maxResponseBytes = s.maxResponseBytes;
      this.governor = s.governor;
      this.hedging = s.hedging;
      this.keepAlive = s.keepAlive;
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
     * Sets the budget of a whole logical call (see {@link FanoutClient.Builder#totalTimeout(Duration)}).
     * Zero means no limit. Defaults to {@link FanoutClient#DEFAULT_TOTAL_TIMEOUT}.
     */
    public Builder totalTimeout(Duration totalTimeout) {
      this.totalTimeout = nonNegative(totalTimeout, "totalTimeout");
      return this;
    }

    /**
     * Sets the budget of each attempt (see {@link FanoutClient.Builder#attemptTimeout(Duration)}). Zero means
     * none. Defaults to {@link FanoutClient#DEFAULT_ATTEMPT_TIMEOUT}.
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = nonNegative(attemptTimeout, "attemptTimeout");
      return this;
    }

    /**
     * Sets how long a streamed response may go without progress (see
     * {@link FanoutClient.Builder#streamIdleTimeout(Duration)}). Zero means none. Defaults to
     * {@link FanoutClient#DEFAULT_STREAM_IDLE_TIMEOUT}.
     */
    public Builder streamIdleTimeout(Duration streamIdleTimeout) {
      this.streamIdleTimeout = nonNegative(streamIdleTimeout, "streamIdleTimeout");
      return this;
    }

    /**
     * Sets how many calls may be in flight at once (see {@link FanoutClient.Builder#maxInFlight(int)}).
     * Defaults to {@link FanoutClient#DEFAULT_MAX_IN_FLIGHT}.
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
     * Speaks HTTP/2 without TLS from the first byte (h2c prior knowledge); the base URL must then be
     * {@code http}. Defaults to false.
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

    /** Sets the largest response body (or streamed data) a call reads. Defaults to 16 MiB. */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes < 1) {
        throw new IllegalArgumentException("maxResponseBytes < 1: " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /**
     * Sets the rate-limit governor (see {@link FanoutClient.Builder#governor(GovernorPolicy)}).
     * Defaults to {@link FanoutClient#DEFAULT_GOVERNOR}.
     */
    public Builder governor(GovernorPolicy governor) {
      this.governor = Objects.requireNonNull(governor, "governor == null");
      return this;
    }

    /**
     * Sets when slow idempotent calls get a backup request (see {@link HedgePolicy}).
     * Defaults to {@link FanoutClient#DEFAULT_HEDGING} ({@link HedgePolicy#disabled()}).
     */
    public Builder hedging(HedgePolicy hedging) {
      this.hedging = Objects.requireNonNull(hedging, "hedging == null");
      return this;
    }

    /**
     * Sets how long an idle pooled connection is kept before it is evicted; must be positive. Applies to the
     * pool a client owns (not to a shared {@link FanoutClient.Builder#okHttpClient OkHttp client}'s).
     * Defaults to {@link FanoutClient#DEFAULT_KEEP_ALIVE} (4 s).
     */
    public Builder keepAlive(Duration keepAlive) {
      if (keepAlive == null) {
        throw new IllegalArgumentException("keepAlive == null");
      }
      if (keepAlive.isZero() || keepAlive.isNegative()) {
        throw new IllegalArgumentException("keepAlive <= 0: " + keepAlive);
      }
      this.keepAlive = keepAlive;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @throws IllegalStateException if no base URL was set, or {@link #http2PriorKnowledge(boolean)} was asked
     *     for with an https base URL
     */
    public FanoutClientSpec build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl == null: set it with baseUrl(...)");
      }
      if (http2PriorKnowledge && baseUrl.isHttps()) {
        throw new IllegalStateException("http2PriorKnowledge needs an http base URL: " + baseUrl);
      }
      return new FanoutClientSpec(this);
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
