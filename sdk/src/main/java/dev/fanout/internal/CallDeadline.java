package dev.fanout.internal;

import dev.fanout.Deadline;
import dev.fanout.FanoutClock;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import java.time.Duration;

/**
 * A logical call's deadline as the call uses it: the timer that ends the call when it passes (on the
 * deadline's own clock), the deadline the gate is told (on the engine's clock), whether a wait still fits
 * before it, and the timeout errors that describe it: {@code 200 ms}, or {@code 200 ms; 177 ms were left when
 * the call started} for a deadline set before the call (a fan-out's).
 */
final class CallDeadline {
  private final Deadline deadline;
  private final String label;
  /** What was left of the deadline when the call started; zero with none. */
  private final Duration budget;
  private volatile FanoutClock.Timer timer;

  CallDeadline(Deadline deadline, String label) {
    this.deadline = deadline;
    this.label = label;
    this.budget = deadline.isNone() ? Duration.ZERO : deadline.remaining();
  }

  boolean isExpired() {
    return deadline.isExpired();
  }

  /**
   * Runs {@code onExpiry} when the deadline passes; nothing with no deadline.
   *
   * @throws RuntimeException if the clock refuses the timer
   */
  void start(Runnable onExpiry) {
    if (!deadline.isNone()) {
      timer = deadline.clock().schedule(deadline.remaining(), onExpiry);
    }
  }

  /** Cancels the timer, if one was started. */
  void cancel() {
    FanoutClock.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
  }

  /** True if a wait of {@code wait} would reach the deadline. */
  boolean leavesNoTimeFor(Duration wait) {
    return !deadline.isNone() && wait.toNanos() >= deadline.remainingNanos();
  }

  /** The deadline on {@code clock}, for the gate; {@link AttemptGate#NO_DEADLINE} if none. */
  long on(FanoutClock clock) {
    if (deadline.isNone()) {
      return AttemptGate.NO_DEADLINE;
    }
    long left = deadline.remainingNanos();
    long now = clock.nanoTime();
    return left >= AttemptGate.NO_DEADLINE - now ? AttemptGate.NO_DEADLINE - 1 : now + left;
  }

  /** The call did not finish within its deadline. */
  FanoutTimeoutException exceeded() {
    return new FanoutTimeoutException(label + " did not finish within its deadline (" + text() + ")", set());
  }

  /**
   * The call cannot wait for {@code what} (a retry backoff, the governor's pause) after attempt {@code attempt}
   * failed with {@code cause}: the caller sees why the call needed the wait.
   */
  FanoutTimeoutException leavesNoTime(String what, int attempt, FanoutException cause) {
    return new FanoutTimeoutException(label + ": deadline (" + text() + ") leaves no time for the " + what
        + " after attempt " + attempt + ": " + cause.getMessage(), set(), cause);
  }

  /** The timeout the deadline was set with (what a timeout error reports), zero with none. */
  private Duration set() {
    return deadline.isNone() ? Duration.ZERO : deadline.timeout();
  }

  private String text() {
    Duration set = set();
    return set.minus(budget).toMillis() < 1 ? set.toMillis() + " ms"
        : set.toMillis() + " ms; " + budget.toMillis() + " ms were left when the call started";
  }
}
