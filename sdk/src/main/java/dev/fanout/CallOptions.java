package dev.fanout;

import dev.fanout.internal.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Options of the calls made through one service view ({@code client.users().withOptions(options)}): a
 * total timeout, extra request headers (such as {@code Idempotency-Key}), a retry policy instead of the
 * client's, a label for traces, the {@link FanoutContext} the calls are bound to, whether the request
 * is idempotent, a hedging policy instead of the client's, and the route their per-route state keys by.
 *
 * <p>Instances are immutable; use {@link #builder()} or {@link #newBuilder()}.
 */
public final class CallOptions {
  private static final CallOptions DEFAULTS = new Builder().build();

  private final Duration timeout;
  private final Map<String, String> headers;
  private final RetryPolicy retryPolicy;
  private final String label;
  private final FanoutContext context;
  private final boolean idempotent;
  private final HedgePolicy hedging;
  private final String route;

  private CallOptions(Builder b) {
    this.timeout = b.timeout;
    this.headers = Map.copyOf(b.headers);
    this.retryPolicy = b.retryPolicy;
    this.label = b.label;
    this.context = b.context;
    this.idempotent = b.idempotent;
    this.hedging = b.hedging;
    this.route = b.route;
  }

  /** Returns the options that change nothing: the client's settings and the current context. */
  public static CallOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Returns the total timeout of each call, or null for the client's {@code totalTimeout}. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns the extra request headers (names as given; one value each). */
  public Map<String, String> headers() {
    return headers;
  }

  /** Returns the retry policy, or null for the client's. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Returns the label for traces, or null for {@code METHOD /path}. */
  public String label() {
    return label;
  }

  /** Returns the context calls are bound to, or null for {@link FanoutContext#current()}. */
  public FanoutContext context() {
    return context;
  }

  /** Returns whether the request may safely be sent more than once (for hedging). */
  public boolean idempotent() {
    return idempotent;
  }

  /** Returns the hedging policy of these calls, or null for the client's. */
  public HedgePolicy hedging() {
    return hedging;
  }

  /** Returns the route these calls count under, or null for the one their path gives. */
  public String route() {
    return route;
  }

  /** Returns these options with {@code other}'s set values on top. */
  public CallOptions merge(CallOptions other) {
    Objects.requireNonNull(other, "other == null");
    Builder b = newBuilder();
    if (other.timeout != null) {
      b.timeout = other.timeout;
    }
    b.headers.putAll(other.headers);
    if (other.retryPolicy != null) {
      b.retryPolicy = other.retryPolicy;
    }
    if (other.label != null) {
      b.label = other.label;
    }
    if (other.context != null) {
      b.context = other.context;
    }
    b.idempotent = b.idempotent || other.idempotent;
    if (other.hedging != null) {
      b.hedging = other.hedging;
    }
    if (other.route != null) {
      b.route = other.route;
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "CallOptions{timeout=" + timeout
        + ", headers=" + headers.keySet()
        + ", retryPolicy=" + retryPolicy
        + ", label=" + label
        + ", context=" + context
        + ", idempotent=" + idempotent
        + ", hedging=" + hedging
        + ", route=" + route + '}';
  }

  /** Builds {@link CallOptions}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private Duration timeout;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private RetryPolicy retryPolicy;
    private String label;
    private FanoutContext context;
    private boolean idempotent;
    private HedgePolicy hedging;
    private String route;

    private Builder() {}

    private Builder(CallOptions o) {
      this.timeout = o.timeout;
      this.headers.putAll(o.headers);
      this.retryPolicy = o.retryPolicy;
      this.label = o.label;
      this.context = o.context;
      this.idempotent = o.idempotent;
      this.hedging = o.hedging;
      this.route = o.route;
    }

    /**
     * Sets the budget of each call over all its attempts and backoffs, instead of the client's
     * {@code totalTimeout}; the earlier of it and the context's deadline applies. Defaults to null (the
     * client's).
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive(timeout, "timeout");
      return this;
    }

    /**
     * Adds a request header sent on every attempt, such as {@code Idempotency-Key}; it replaces the
     * SDK's own header of that name except {@code Authorization}, which is refused (use the client's
     * {@code apiKey}). Defaults to none.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(value, "value == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("header name is blank");
      }
      if (name.toLowerCase(Locale.ROOT).equals("authorization")) {
        throw new IllegalArgumentException("header Authorization is set by the client's apiKey");
      }
      okhttp3.Headers.of(name, value); // validates characters, naming the bad one
      headers.put(name, value);
      return this;
    }

    /** Sets the retry policy of these calls instead of the client's. Defaults to null (the client's). */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy == null");
      return this;
    }

    /** Sets the label of these calls in traces and messages. Defaults to null ({@code METHOD /path}). */
    public Builder label(String label) {
      Objects.requireNonNull(label, "label == null");
      if (label.isBlank()) {
        throw new IllegalArgumentException("label is blank");
      }
      this.label = label;
      return this;
    }

    /**
     * Binds these calls to {@code context}'s deadline, cancellation and trace, from any thread.
     * Defaults to null ({@link FanoutContext#current()} when the call is made).
     */
    public Builder context(FanoutContext context) {
      this.context = Objects.requireNonNull(context, "context == null");
      return this;
    }

    /**
     * Declares the request idempotent (sending it twice does no harm), which hedging requires.
     * Defaults to false.
     */
    public Builder idempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    /**
     * Sets how these calls are hedged instead of the client's {@code FanoutClient.Builder.hedging} (a
     * policy, or {@link HedgePolicy#disabled()} to never hedge them); the extra-load budget stays the
     * client's, shared by all its calls. Hedging only ever applies to idempotent calls: {@code GET} by
     * default, others marked with {@link #idempotent(boolean)}. Defaults to null (the client's).
     */
    public Builder hedging(HedgePolicy hedging) {
      this.hedging = Objects.requireNonNull(hedging, "hedging == null");
      return this;
    }

    /**
     * Sets the route these calls count under: the key of the client's per-route state (the rate-limit
     * governor's bucket, the latencies {@link HedgePolicy#auto()} hedges by), such as {@code /v1/users/{id}}.
     * Calls with the same route share that state; give one route to paths that are one endpoint (a path
     * with names or slugs in it) so the client keeps one bucket for them, not one per path. At most 512
     * characters. Defaults to null: the client's first matching
     * {@code FanoutClient.Builder.routeTemplates}, else the path with id-like segments as {@code *}.
     */
    public Builder route(String route) {
      Objects.requireNonNull(route, "route == null");
      if (route.isBlank()) {
        throw new IllegalArgumentException("route is blank");
      }
      if (route.length() > 512) {
        throw new IllegalArgumentException("route longer than 512 characters: " + route.length());
      }
      this.route = route;
      return this;
    }

    public CallOptions build() {
      return new CallOptions(this);
    }
  }
}
