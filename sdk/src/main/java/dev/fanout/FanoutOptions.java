package dev.fanout;

import dev.fanout.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a fan-out runs: how many of its tasks may be in flight at once, by when it must be finished, on
 * which clock its deadline runs, inside which context, and how its inputs are named in its
 * {@link FanoutReport}.
 *
 * <p>Instances are immutable; use {@link #builder()} or {@link #newBuilder()}.
 */
public final class FanoutOptions {
  /** No bound of the fan-out's own: every task starts at once (the client's own limit still applies). */
  public static final int DEFAULT_MAX_CONCURRENCY = Integer.MAX_VALUE;

  private static final FanoutOptions DEFAULTS = new Builder().build();

  private final int maxConcurrency;
  private final Duration timeout;
  private final Deadline deadline;
  private final Function<Object, String> labeler;
  private final FanoutClock clock;
  private final FanoutContext context;

  private FanoutOptions(Builder builder) {
    this.clock = builder.clock;
    this.context = builder.context;
    this.maxConcurrency = builder.maxConcurrency;
    this.timeout = builder.timeout;
    this.deadline = builder.deadline;
    this.labeler = builder.labeler;
  }

  /** Returns the default options: no bound of its own, no deadline, inputs labelled by {@code String.valueOf}. */
  public static FanoutOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Returns the bound on this fan-out's tasks in flight at once. */
  public int maxConcurrency() {
    return maxConcurrency;
  }

  /** Returns the clock of the deadline timer, or null to take the context's (else the system clock). */
  public FanoutClock clock() {
    return clock;
  }

  /** Returns the context the fan-out runs inside, or null for {@link FanoutContext#current()}. */
  public FanoutContext context() {
    return context;
  }

  /** Returns the timeout relative to the fan-out's start, or {@code null}. */
  public Duration timeout() {
    return timeout;
  }

  /** Returns the absolute deadline, or {@code null}. */
  public Deadline deadline() {
    return deadline;
  }

  /** Returns the label of {@code input} for reports and error messages. */
  public String label(Object input) {
    return labeler.apply(input);
  }

  /**
   * Returns the deadline a fan-out started now runs under: the earliest of this deadline, this timeout from
   * now, and {@code outer} (the deadline of the fan-out this one runs inside, if any).
   */
  Deadline effectiveDeadline(Deadline outer, FanoutClock clock) {
    Deadline result = outer;
    if (deadline != null) {
      result = result.min(deadline);
    }
    if (timeout != null) {
      result = result.min(Deadline.after(timeout, clock));
    }
    return result;
  }

  @Override
  public String toString() {
    return "FanoutOptions{maxConcurrency="
        + (maxConcurrency == DEFAULT_MAX_CONCURRENCY ? "unbounded" : maxConcurrency)
        + ", timeout=" + timeout
        + ", deadline=" + deadline
        + '}';
  }

  public static final class Builder {
    private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
    private Duration timeout;
    private Deadline deadline;
    private Function<Object, String> labeler = String::valueOf;
    private FanoutClock clock;
    private FanoutContext context;

    private Builder() {}

    private Builder(FanoutOptions options) {
      this.maxConcurrency = options.maxConcurrency;
      this.timeout = options.timeout;
      this.deadline = options.deadline;
      this.labeler = options.labeler;
      this.clock = options.clock;
      this.context = options.context;
    }

    /**
     * Sets how many of this fan-out's tasks may be in flight at once; the rest wait their turn in input
     * order. The client's own {@code maxInFlight}, the hard ceiling of requests in flight, applies on top.
     * Defaults to {@link #DEFAULT_MAX_CONCURRENCY} (no bound of the fan-out's own).
     */
    public Builder maxConcurrency(int maxConcurrency) {
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("maxConcurrency < 1: " + maxConcurrency);
      }
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * Sets the clock the fan-out's deadline timer runs on and its {@link #timeout(Duration)} is measured
     * on; tests pass a {@link dev.fanout.testing.FakeClock}. Defaults to null: the enclosing context's
     * clock, else the clock of {@link #deadline(Deadline)}, else {@link FanoutClock#system()} (one shared daemon thread that ends when idle).
     */
    public Builder clock(FanoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Runs the fan-out inside {@code context} (a task's own, for a nested fan-out started on any thread): it
     * keeps the earlier of the two deadlines, is cancelled with the context, and traces into it. Defaults
     * to null ({@link FanoutContext#current()} when the fan-out starts).
     */
    public Builder context(FanoutContext context) {
      this.context = Objects.requireNonNull(context, "context == null");
      return this;
    }

    /**
     * Sets how long the whole fan-out may take, counted from its start; retries and queueing are charged
     * against it. Defaults to none (only an outer fan-out's deadline, if any, applies).
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive(timeout, "timeout");
      return this;
    }

    /**
     * Sets an absolute deadline, to share one between several fan-outs. Defaults to none (only an outer
     * fan-out's deadline, if any, applies).
     */
    public Builder deadline(Deadline deadline) {
      this.deadline = Objects.requireNonNull(deadline, "deadline == null");
      return this;
    }

    /** Sets how inputs are named in reports and error messages. Defaults to {@code String::valueOf}. */
    @SuppressWarnings("unchecked")
    public <I> Builder labeler(Function<? super I, String> labeler) {
      Objects.requireNonNull(labeler, "labeler == null");
      this.labeler = input -> labeler.apply((I) input);
      return this;
    }

    public FanoutOptions build() {
      return new FanoutOptions(this);
    }
  }
}
