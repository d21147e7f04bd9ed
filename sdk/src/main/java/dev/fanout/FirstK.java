package dev.fanout;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link Fanout#firstK}: the values that succeeded, in completion order, and how many were
 * asked for. It is <em>complete</em> when {@code k} succeeded, and <em>partial</em> when the fan-out's
 * deadline passed first with fewer (at least one); the inputs still running then were cancelled and show
 * as timed out in the {@link FanoutReport}.
 *
 * <h2>A partial result must be checked.</h2>
 * {@link #values()} then holds fewer than {@link #k()} values: read {@link #isPartial()} (or
 * {@link #missing()}) before relying on a quorum.
 *
 * <p>Immutable.
 */
public final class FirstK<T> {
  private final List<T> values;
  private final int k;

  private FirstK(List<T> values, int k) {
    this.values = List.copyOf(values);
    this.k = k;
  }

  /** Returns a result of {@code values} out of {@code k} asked; {@code values} holds 1 to k values (non-null). */
  static <T> FirstK<T> of(List<T> values, int k) {
    Objects.requireNonNull(values, "values == null");
    if (k < 1 || values.isEmpty() || values.size() > k) {
      throw new IllegalArgumentException("values not in [1, k = " + k + "]: " + values.size());
    }
    return new FirstK<>(values, k);
  }

  /** Returns the values that succeeded, in completion order: {@link #k()} of them unless {@link #isPartial()}. */
  public List<T> values() {
    return values;
  }

  /** Returns how many successes were asked for. */
  public int k() {
    return k;
  }

  /** Returns true if the deadline passed with fewer than {@link #k()} successes. */
  public boolean isPartial() {
    return values.size() < k;
  }

  /** Returns how many successes are missing: {@code k() - values().size()}, zero when complete. */
  public int missing() {
    return k - values.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FirstK<?> other && other.k == k && other.values.equals(values);
  }

  @Override
  public int hashCode() {
    return 31 * values.hashCode() + k;
  }

  @Override
  public String toString() {
    return "FirstK{" + values.size() + " of " + k + (isPartial() ? ", partial" : "") + ": " + values + '}';
  }
}
