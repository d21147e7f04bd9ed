package dev.fanout.flink;

import dev.fanout.FanoutClient;
import dev.fanout.FanoutClientSpec;
import dev.fanout.RetryPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * The serializable configuration of a {@link FanoutAsyncFunction}: the whole client, as a
 * {@link FanoutClientSpec}, plus what only Flink has: the Async I/O capacity, Flink's timeout, the output
 * order and where the API key comes from. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * FanoutAsyncConfig config = FanoutAsyncConfig.builder()
 *     .spec(FanoutClientSpec.builder()
 *         .baseUrl("https://api.example.com")
 *         .maxInFlight(200)                    // per subtask: the SDK's ceiling and Flink's capacity
 *         .governor(GovernorPolicy.defaults())
 *         .build())
 *     .timeout(Duration.ofSeconds(30))         // Flink's async timeout; the SDK's call timeout is derived below it
 *     .apiKeyEnv("OPENAI_API_KEY")             // read on each task manager, never in the job graph
 *     .build();
 * }</pre>
 *
 * <h2>Every client option works in a job.</h2>
 * The spec carries every serializable option of {@link FanoutClient.Builder} (timeouts, {@code maxInFlight},
 * retries, HTTP/2, virtual threads, {@code maxResponseBytes}, the governor, hedging, keep-alive); the
 * function's client is built from it on each subtask. This configuration re-declares none of them and checks
 * none of them again: the spec's builder did.
 *
 * <h2>It travels in the job graph.</h2>
 * It is serialized with the function to every task manager, where {@link #newClient()} builds the subtask's
 * client. A key set on the spec is part of the job graph: prefer {@link Builder#apiKeyEnv(String)}, which names
 * an environment variable read on the task manager.
 *
 * <h2>The SDK's timeout ends first.</h2>
 * The spec's {@link FanoutClientSpec#totalTimeout() totalTimeout} (every attempt and backoff of one call) must
 * end before Flink's {@link #timeout()}, so the SDK reports its own timeout and stops retrying first; when the
 * spec has none (zero) or the client's default ({@link FanoutClient#DEFAULT_TOTAL_TIMEOUT}, 10 min) it is
 * {@link #DEFAULT_TOTAL_TIMEOUT_FRACTION} of Flink's timeout.
 * {@link #spec()} returns the spec with that timeout in place.
 *
 * <h2>Retries live in the SDK.</h2>
 * Failed attempts are retried by the spec's {@link RetryPolicy} inside one Flink async invocation, not by
 * Flink's {@code AsyncRetryStrategy}: on a bounded input Flink's {@code AsyncWaitOperator.endInput} disables
 * its retries once the input ends (records in flight or backing off get at most one more immediate try, and
 * their next failure fails the job), while the SDK keeps retrying with backoff until the call's deadline.
 */
public final class FanoutAsyncConfig implements Serializable {
  private static final long serialVersionUID = 2L;

  /** Defaults to 30 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The SDK's call timeout, when the spec sets none, is this fraction of Flink's timeout: 0.9. */
  public static final double DEFAULT_TOTAL_TIMEOUT_FRACTION = 0.9;
  /** Defaults to false: results are emitted as they complete. */
  public static final boolean DEFAULT_ORDERED = false;

  /** As given to the builder, so that {@link #newBuilder()} derives the call timeout again. */
  private final FanoutClientSpec given;
  private final FanoutClientSpec spec;
  private final String apiKeyEnv;
  private final int capacity;
  /** As given to the builder: 0 follows the spec's {@code maxInFlight}. */
  private final int givenCapacity;
  private final Duration timeout;
  private final boolean ordered;

  private FanoutAsyncConfig(Builder b, FanoutClientSpec spec, int capacity) {
    this.given = b.spec;
    this.spec = spec;
    this.apiKeyEnv = b.apiKeyEnv;
    this.capacity = capacity;
    this.givenCapacity = b.capacity;
    this.timeout = b.timeout;
    this.ordered = b.ordered;
  }

  /** Returns a builder; {@link Builder#spec(FanoutClientSpec)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder with this configuration's settings. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the client's spec, as each subtask builds its client from it: the spec given to the builder, with
   * the derived {@code totalTimeout} if it had none.
   */
  public FanoutClientSpec spec() {
    return spec;
  }

  /** Returns Flink's Async I/O capacity per subtask (at most the spec's {@code maxInFlight}). */
  public int capacity() {
    return capacity;
  }

  /** Returns Flink's async timeout per element. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns the SDK's call timeout (all attempts and backoffs of one call), always below {@link #timeout()}. */
  public Duration totalTimeout() {
    return spec.totalTimeout();
  }

  /** Returns true if results are emitted in input order ({@code orderedWait}). */
  public boolean ordered() {
    return ordered;
  }

  /** Returns the environment variable the API key is read from on each task manager, or null. */
  public String apiKeyEnv() {
    return apiKeyEnv;
  }

  /**
   * Builds a new client from {@link #spec()} (and the key named by {@link Builder#apiKeyEnv(String)}), as
   * {@link FanoutAsyncFunction#open} does on each subtask. The caller owns it and must close it.
   *
   * @throws IllegalStateException if {@link Builder#apiKeyEnv(String)} names a variable that is not set
   */
  public FanoutClient newClient() {
    return clientBuilder().build();
  }

  /**
   * Returns a client builder configured as {@link #newClient()} would build it, for what a spec cannot carry
   * (a clock, an OpenTelemetry, a trace listener).
   *
   * @throws IllegalStateException if {@link Builder#apiKeyEnv(String)} names a variable that is not set
   */
  public FanoutClient.Builder clientBuilder() {
    FanoutClient.Builder b = FanoutClient.builder().spec(spec);
    if (apiKeyEnv != null) {
      String key = System.getenv(apiKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalStateException("apiKeyEnv names a variable that is not set on this host: " + apiKeyEnv);
      }
      b.apiKey(key);
    }
    return b;
  }

  @Override
  public String toString() {
    return "FanoutAsyncConfig{capacity=" + capacity
        + ", timeout=" + timeout
        + ", ordered=" + ordered
        + (apiKeyEnv != null ? ", apiKeyEnv=$" + apiKeyEnv : "")
        + ", spec=" + spec + '}';
  }

  /** Builds a {@link FanoutAsyncConfig}; every setter validates its argument and names a bad value. */
  public static final class Builder {
    private FanoutClientSpec spec;
    private String apiKeyEnv;
    private int capacity;
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean ordered = DEFAULT_ORDERED;

    private Builder() {}

    private Builder(FanoutAsyncConfig c) {
      this.spec = c.given;
      this.apiKeyEnv = c.apiKeyEnv;
      this.capacity = c.givenCapacity;
      this.timeout = c.timeout;
      this.ordered = c.ordered;
    }

    /**
     * Sets the client every subtask builds: base URL, timeouts, {@code maxInFlight}, retries, HTTP/2,
     * virtual threads, {@code maxResponseBytes}, governor, hedging and keep-alive. A spec whose
     * {@code totalTimeout} is zero or the client's default gets one derived from {@link #timeout(Duration)}. Required; there is no
     * default.
     */
    public Builder spec(FanoutClientSpec spec) {
      this.spec = Objects.requireNonNull(spec, "spec == null");
      return this;
    }

    /**
     * Sets the name of an environment variable that holds the API key, read on each task manager when the
     * function opens, so the key never enters the job graph; the spec must then carry no key. Defaults to
     * null (the spec's key, if any).
     */
    public Builder apiKeyEnv(String variable) {
      if (variable != null && (variable.isBlank() || variable.contains("="))) {
        throw new IllegalArgumentException("apiKeyEnv is not a variable name: \"" + variable + "\"");
      }
      this.apiKeyEnv = variable;
      return this;
    }

    /**
     * Sets how many elements each subtask has in flight at once, Flink's Async I/O {@code capacity}; at most
     * the spec's {@code maxInFlight} (a larger capacity would only queue calls in OkHttp's dispatcher, where
     * their wait counts against Flink's timeout). The backend sees up to {@code parallelism * capacity}
     * calls. Zero means the spec's {@code maxInFlight}, one number for both. Defaults to 0.
     */
    public Builder capacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("capacity < 0: " + capacity);
      }
      this.capacity = capacity;
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
     * Sets whether results are emitted in input order ({@code AsyncDataStream.orderedWait}) or as they
     * complete ({@code unorderedWait}, lower latency when call times vary). Defaults to false.
     */
    public Builder ordered(boolean ordered) {
      this.ordered = ordered;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if no spec was set, the spec's call timeout is not below Flink's timeout,
     *     the capacity is above the spec's {@code maxInFlight}, or both {@link #apiKeyEnv(String)} and the
     *     spec's key are set
     */
    public FanoutAsyncConfig build() {
      if (spec == null) {
        throw new IllegalStateException("spec == null: set it with spec(FanoutClientSpec.builder()...build())");
      }
      if (apiKeyEnv != null && spec.hasApiKey()) {
        throw new IllegalStateException("apiKeyEnv is set and the spec carries an API key: keep one ("
            + "apiKeyEnv keeps the key out of the job graph)");
      }
      FanoutClientSpec effective = spec;
      Duration call = spec.totalTimeout();
      if (call.isZero() || call.equals(FanoutClient.DEFAULT_TOTAL_TIMEOUT)) {
        // none, or the client's default (10 min, longer than any sane async timeout): Flink's timeout decides
        call = Duration.ofNanos((long) (timeout.toNanos() * DEFAULT_TOTAL_TIMEOUT_FRACTION));
        effective = spec.newBuilder().totalTimeout(call).build();
      }
      if (call.compareTo(timeout) >= 0) {
        throw new IllegalStateException("totalTimeout >= timeout: " + call + " >= " + timeout
            + " (the SDK's call timeout must end before Flink's async timeout)");
      }
      int cap = capacity == 0 ? spec.maxInFlight() : capacity;
      if (cap > spec.maxInFlight()) {
        throw new IllegalStateException("capacity > the spec's maxInFlight: " + cap + " > " + spec.maxInFlight()
            + " (the excess would wait in OkHttp's queue, against Flink's timeout)");
      }
      return new FanoutAsyncConfig(this, effective, cap);
    }
  }
}
