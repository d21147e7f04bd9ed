package dev.fanout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a fan-out runs: how many of its tasks may be in flight at once, by when it must be finished, and how
 * its inputs are named in its {@link FanoutReport}.
 *
 * <p>Instances are immutable; use {@link #builder()} or {@link #newBuilder()}.
 */
public final class FanOutOptions {
  /** No bound of the fan-out's own: every task starts at once (the client's own limit still applies). */
  public static final int DEFAULT_MAX_IN_FLIGHT = Integer.MAX_VALUE;

  private static final FanOutOptions DEFAULTS = new Builder().build();

  private final int maxInFlight;
  private final Duration timeout;
  private final Deadline deadline;
  private final Function<Object, String> labeler;

  private FanOutOptions(Builder builder) {
    this.maxInFlight = builder.maxInFlight;
    this.timeout = builder.timeout;
    this.deadline = builder.deadline;
    this.labeler = builder.labeler;
  }

  /** Returns the default options: no bound of its own, no deadline, inputs labelled by {@code String.valueOf}. */
  public static FanOutOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public int maxInFlight() {
    return maxInFlight;
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
  Deadline effectiveDeadline(Deadline outer) {
    Deadline result = outer;
    if (deadline != null) {
      result = result.min(deadline);
    }
    if (timeout != null) {
      result = result.min(Deadline.after(timeout));
    }
    return result;
  }

  @Override
  public String toString() {
    return "FanOutOptions{maxInFlight="
        + (maxInFlight == DEFAULT_MAX_IN_FLIGHT ? "unbounded" : maxInFlight)
        + ", timeout=" + timeout
        + ", deadline=" + deadline
        + '}';
  }

  public static final class Builder {
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private Duration timeout;
    private Deadline deadline;
    private Function<Object, String> labeler = String::valueOf;

    private Builder() {}

    private Builder(FanOutOptions options) {
      this.maxInFlight = options.maxInFlight;
      this.timeout = options.timeout;
      this.deadline = options.deadline;
      this.labeler = options.labeler;
    }

    /**
     * Sets how many of this fan-out's tasks may be in flight at once; the rest wait their turn in input
     * order. The client's own {@code maxInFlight} applies on top.
     * Defaults to {@link #DEFAULT_MAX_IN_FLIGHT} (no bound of the fan-out's own).
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Sets how long the whole fan-out may take, counted from its start; retries and queueing are charged
     * against it. Defaults to none (only an outer fan-out's deadline, if any, applies).
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout <= 0: " + timeout);
      }
      this.timeout = timeout;
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

    public FanOutOptions build() {
      return new FanOutOptions(this);
    }
  }
}
