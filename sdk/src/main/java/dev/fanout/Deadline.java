package dev.fanout;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time by which work must be finished, measured on the monotonic clock ({@link System#nanoTime()}).
 *
 * <p>A deadline is absolute, so it can be shared: a fan-out started inside another fan-out's task inherits
 * the outer deadline unless it is given an earlier one, and every retry of a call is charged against it.
 */
public final class Deadline implements Comparable<Deadline> {
  private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);

  private final long nanoTime;
  private final boolean none;

  private Deadline(long nanoTime, boolean none) {
    this.nanoTime = nanoTime;
    this.none = none;
  }

  /** Returns a deadline {@code timeout} from now. */
  public static Deadline after(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return NONE;
    }
    long now = System.nanoTime();
    long at = now + nanos;
    if (at - now < 0) {
      return NONE; // overflow: effectively no deadline
    }
    return new Deadline(at, false);
  }

  /** Returns a deadline that never passes. */
  public static Deadline none() {
    return NONE;
  }

  /** Returns true if this deadline never passes. */
  public boolean isNone() {
    return none;
  }

  /** Returns the time left, {@link Duration#ZERO} once passed; a very long duration for {@link #none()}. */
  public Duration remaining() {
    if (none) {
      return Duration.ofNanos(Long.MAX_VALUE);
    }
    long left = nanoTime - System.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** Returns the nanoseconds left (negative once passed); {@link Long#MAX_VALUE} for {@link #none()}. */
  public long remainingNanos() {
    return none ? Long.MAX_VALUE : nanoTime - System.nanoTime();
  }

  /** Returns true once this deadline has passed. */
  public boolean isExpired() {
    return !none && nanoTime - System.nanoTime() <= 0;
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
    return Long.signum(nanoTime - other.nanoTime);
  }

  @Override
  public String toString() {
    return none ? "Deadline.none()" : "Deadline(" + remaining().toMillis() + " ms left)";
  }
}
