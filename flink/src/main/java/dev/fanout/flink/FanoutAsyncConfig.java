package dev.fanout.flink;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The serializable configuration of a {@link FanoutAsyncFunction}: where the backend is, one capacity for
 * both Flink's Async I/O operator and the SDK's concurrency limit, Flink's timeout and the SDK's call timeout
 * below it, the retry policy and the output order. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * FanoutAsyncConfig config = FanoutAsyncConfig.builder()
 *     .baseUrl("https://api.example.com")
 *     .maxInFlight(200)                   // per subtask: Flink's capacity and the SDK's maxInFlight
 *     .timeout(Duration.ofSeconds(30))    // Flink's async timeout; the SDK's call timeout is derived below it
 *     .retryPolicy(RetryPolicy.defaults())
 *     .build();
 * }</pre>
 *
 * <h2>It travels in the job graph.</h2>
 * It is serialized with the function to every task manager, where {@link #newClient()} builds the subtask's
 * client. It therefore holds serializable values only (the {@link RetryPolicy} is one); the API key, if
 * set, is part of the job graph: prefer {@link Builder#apiKeyEnv(String)}, which names an environment
 * variable read on the task manager.
 *
 * <h2>Retries live in the SDK.</h2>
 * Failed attempts are retried by the SDK's {@link RetryPolicy} inside one Flink async invocation, not by
 * Flink's {@code AsyncRetryStrategy}: on a bounded input Flink's {@code AsyncWaitOperator.endInput} disables
 * its retries once the input ends (records in flight or backing off get at most one more immediate try, and
 * their next failure fails the job), while the SDK keeps retrying with backoff until the call's deadline.
 */
public final class FanoutAsyncConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Defaults to 100 elements in flight per subtask. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 100;
  /** Defaults to 30 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The SDK's call timeout, when not set, is this fraction of Flink's timeout: 0.9. */
  public static final double DEFAULT_TOTAL_TIMEOUT_FRACTION = 0.9;
  /** Defaults to false: results are emitted as they complete. */
  public static final boolean DEFAULT_ORDERED = false;

  private final String baseUrl;
  private final String apiKey;
  private final String apiKeyEnv;
  private final int maxInFlight;
  private final Duration timeout;
  private final Duration totalTimeout;
  private final boolean ordered;
  private final RetryPolicy retry;

  private FanoutAsyncConfig(Builder b, Duration totalTimeout) {
    this.baseUrl = b.baseUrl;
    this.apiKey = b.apiKey;
    this.apiKeyEnv = b.apiKeyEnv;
    this.maxInFlight = b.maxInFlight;
    this.timeout = b.timeout;
    this.totalTimeout = totalTimeout;
    this.ordered = b.ordered;
    this.retry = b.retry;
  }

  /** Returns a builder; {@link Builder#baseUrl(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with this configuration's settings. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Returns the backend's base URL. */
  public String baseUrl() {
    return baseUrl;
  }

  /** Returns the elements in flight per subtask: Flink's Async I/O capacity and the SDK's {@code maxInFlight}. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Returns Flink's async timeout per element. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns the SDK's call timeout (all attempts and backoffs of one call), always below {@link #timeout()}. */
  public Duration totalTimeout() {
    return totalTimeout;
  }

  /** Returns true if results are emitted in input order ({@code orderedWait}). */
  public boolean ordered() {
    return ordered;
  }

  /** Returns the SDK retry policy. */
  public RetryPolicy retryPolicy() {
    return retry;
  }

  /**
   * Builds a new client from this configuration, as {@link FanoutAsyncFunction#open} does on each subtask:
   * base URL, API key, {@code maxInFlight}, {@code totalTimeout} and the retry policy. The caller
   * owns it and must close it.
   *
   * @throws IllegalStateException if {@link Builder#apiKeyEnv(String)} names a variable that is not set
   */
  public FanoutClient newClient() {
    return clientBuilder().build();
  }

  /** Returns a client builder configured as {@link #newClient()} would build it, for further settings. */
  public FanoutClient.Builder clientBuilder() {
    String key = apiKey;
    if (apiKeyEnv != null) {
      key = System.getenv(apiKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalStateException("apiKeyEnv names a variable that is not set on this host: " + apiKeyEnv);
      }
    }
    return FanoutClient.builder()
        .baseUrl(baseUrl)
        .apiKey(key)
        .maxInFlight(maxInFlight)
        .totalTimeout(totalTimeout)
        .retryPolicy(retry);
  }

  @Override
  public String toString() {
    return "FanoutAsyncConfig{baseUrl=" + baseUrl
        + ", apiKey=" + (apiKey != null ? "██" : apiKeyEnv != null ? "$" + apiKeyEnv : "none")
        + ", maxInFlight=" + maxInFlight
        + ", timeout=" + timeout
        + ", totalTimeout=" + totalTimeout
        + ", ordered=" + ordered
        + ", retryPolicy=" + retry + '}';
  }

  /** Builds a {@link FanoutAsyncConfig}; every setter validates its argument and names a bad value. */
  public static final class Builder {
    private String baseUrl;
    private String apiKey;
    private String apiKeyEnv;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration totalTimeout;
    private boolean ordered = DEFAULT_ORDERED;
    private RetryPolicy retry = RetryPolicy.defaults();

    private Builder() {}

    private Builder(FanoutAsyncConfig c) {
      this.baseUrl = c.baseUrl;
      this.apiKey = c.apiKey;
      this.apiKeyEnv = c.apiKeyEnv;
      this.maxInFlight = c.maxInFlight;
      this.timeout = c.timeout;
      this.totalTimeout = c.totalTimeout;
      this.ordered = c.ordered;
      this.retry = c.retry;
    }

    /**
     * Sets the backend's base URL, an absolute http(s) URL, checked as {@link FanoutClient.Builder#baseUrl(String)}
     * checks it. Required; there is no default.
     */
    public Builder baseUrl(String baseUrl) {
      FanoutClient.builder().baseUrl(baseUrl); // validates and names a bad value
      this.baseUrl = baseUrl.strip();
      return this;
    }

    /**
     * Sets the API key sent as a bearer token. It is serialized into the job graph; see
     * {@link #apiKeyEnv(String)}. Clears {@link #apiKeyEnv(String)}. Defaults to null (no key).
     */
    public Builder apiKey(String apiKey) {
      FanoutClient.builder().apiKey(apiKey); // validates without echoing the key
      this.apiKey = apiKey;
      this.apiKeyEnv = null;
      return this;
    }

    /**
     * Sets the name of an environment variable that holds the API key, read on each task manager when the
     * function opens, so the key never enters the job graph. Clears {@link #apiKey(String)}. Defaults to null.
     */
    public Builder apiKeyEnv(String variable) {
      if (variable != null && (variable.isBlank() || variable.contains("="))) {
        throw new IllegalArgumentException("apiKeyEnv is not a variable name: \"" + variable + "\"");
      }
      this.apiKeyEnv = variable;
      this.apiKey = null;
      return this;
    }

    /**
     * Sets how many elements each subtask has in flight at once: Flink's Async I/O {@code capacity} and the
     * SDK's {@code maxInFlight} (OkHttp's dispatcher limits and connection pool), so neither queues behind
     * the other. The backend sees up to {@code parallelism * maxInFlight} calls. Defaults to 100.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Sets Flink's async timeout per element, after which the function cancels the element's call. Must
     * be positive. Defaults to 30 s.
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isZero() || timeout.isNegative() || timeout.toMillis() < 1) {
        throw new IllegalArgumentException("timeout < 1 ms: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the SDK's total timeout (the client's {@code totalTimeout}): every attempt and backoff of one call, after which the call fails with
     * {@link dev.fanout.errors.FanoutTimeoutException}. It must end before Flink's {@link #timeout(Duration)}
     * so the SDK reports its own timeout (and stops retrying) first; {@code null} derives it. Defaults to
     * null: {@link #DEFAULT_TOTAL_TIMEOUT_FRACTION} (0.9) of Flink's timeout.
     */
    public Builder totalTimeout(Duration totalTimeout) {
      if (totalTimeout != null && (totalTimeout.isZero() || totalTimeout.isNegative())) {
        throw new IllegalArgumentException("totalTimeout <= 0: " + totalTimeout);
      }
      this.totalTimeout = totalTimeout;
      return this;
    }

    /**
     * Sets whether results are emitted in input order ({@code AsyncDataStream.orderedWait}) or as they
     * complete ({@code unorderedWait}, lower latency when call times vary). Defaults to false.
     */
    public Builder ordered(boolean ordered) {
      this.ordered = ordered;
      return this;
    }

    /**
     * Sets the SDK retry policy (serialized with the function to every task manager).
     * Defaults to {@link RetryPolicy#defaults()}.
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      if (retryPolicy == null) {
        throw new IllegalArgumentException("retryPolicy == null");
      }
      this.retry = retryPolicy;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if no base URL was set, or the call timeout is not below Flink's timeout
     */
    public FanoutAsyncConfig build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl == null: set it with baseUrl(...)");
      }
      Duration call = totalTimeout != null
          ? totalTimeout
          : Duration.ofNanos((long) (timeout.toNanos() * DEFAULT_TOTAL_TIMEOUT_FRACTION));
      if (call.compareTo(timeout) >= 0) {
        throw new IllegalStateException("totalTimeout >= timeout: " + call + " >= " + timeout
            + " (the SDK's call timeout must end before Flink's async timeout)");
      }
      return new FanoutAsyncConfig(this, call);
    }
  }
}
