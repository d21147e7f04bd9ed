package dev.fanout;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time by which work must be finished, measured on a {@link FanoutClock}'s monotonic
 * {@link FanoutClock#nanoTime()}.
 *
 * <p>A deadline is absolute, so it can be shared: a fan-out started inside another fan-out's task inherits
 * the outer deadline unless it is given an earlier one, and every retry of a call is charged against it.
 * A deadline reads the clock it was made on ({@link #after(Duration, FanoutClock)}); two deadlines compare
 * meaningfully only when made on the same clock.
 */
public final class Deadline implements Comparable<Deadline> {
  private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true, null, Duration.ofNanos(Long.MAX_VALUE));

  private final long nanoTime;
  private final boolean none;
  private final FanoutClock clock;
  private final Duration timeout;

  private Deadline(long nanoTime, boolean none, FanoutClock clock, Duration timeout) {
    this.nanoTime = nanoTime;
    this.none = none;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** Returns a deadline {@code timeout} from now on {@link FanoutClock#system()}. */
  public static Deadline after(Duration timeout) {
    return after(timeout, FanoutClock.system());
  }

  /** Returns a deadline {@code timeout} from now on {@code clock}. */
  public static Deadline after(Duration timeout, FanoutClock clock) {
    Objects.requireNonNull(timeout, "timeout == null");
    Objects.requireNonNull(clock, "clock == null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return NONE;
    }
    long now = clock.nanoTime();
    long at = now + nanos;
    if (at - now < 0) {
      return NONE; // overflow: effectively no deadline
    }
    return new Deadline(at, false, clock, timeout);
  }

  /** Returns a deadline that never passes. */
  public static Deadline none() {
    return NONE;
  }

  /** Returns true if this deadline never passes. */
  public boolean isNone() {
    return none;
  }

  /** Returns the clock this deadline is measured on ({@link FanoutClock#system()} for {@link #none()}). */
  public FanoutClock clock() {
    return none ? FanoutClock.system() : clock;
  }

  /**
   * Returns the timeout this deadline was made with ({@code after(timeout)}), however much of it is left; a very
   * long duration for {@link #none()}. A timeout error names it: a call started 23 ms into a fan-out's 200 ms
   * deadline failed "within its deadline (200 ms; 177 ms were left when the call started)".
   */
  public Duration timeout() {
    return timeout;
  }

  /** Returns the time left, {@link Duration#ZERO} once passed; a very long duration for {@link #none()}. */
  public Duration remaining() {
    if (none) {
      return Duration.ofNanos(Long.MAX_VALUE);
    }
    long left = nanoTime - clock.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** Returns the nanoseconds left (negative once passed); {@link Long#MAX_VALUE} for {@link #none()}. */
  public long remainingNanos() {
    return none ? Long.MAX_VALUE : nanoTime - clock.nanoTime();
  }

  /** Returns true once this deadline has passed. */
  public boolean isExpired() {
    return !none && nanoTime - clock.nanoTime() <= 0;
  }

  /** Returns the earlier of this deadline and {@code other}. */
  public Deadline min(Deadline other) {
    Objects.requireNonNull(other, "other == null");
    return compareTo(other) <= 0 ? this : other;
  }

  @Override
  public int compareTo(Deadline other) {
    if (none || other.none) {
      return Boolean.compare(none, other.none);
    }
    if (clock != other.clock) {
      return Long.compare(remainingNanos(), other.remainingNanos());
    }
    return Long.signum(nanoTime - other.nanoTime);
  }

  @Override
  public String toString() {
    return none ? "Deadline.none()" : "Deadline(" + remaining().toMillis() + " ms left)";
  }
}
