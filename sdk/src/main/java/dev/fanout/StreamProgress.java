package dev.fanout;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a running {@link FanoutStream}: how many inputs it has pulled, how many of their calls are
 * done and how, how many are in flight or waiting for the consumer, and the rate and time left.
 *
 * <p>Counts only grow. {@code pulled() == done() + inFlight()} at every snapshot, and
 * {@code done() == succeeded() + failed() + timedOut() + cancelled()}.
 *
 * @param pulled inputs taken from the source so far
 * @param succeeded inputs whose task produced a value
 * @param failed inputs whose task failed
 * @param timedOut inputs still in flight when the stream's deadline passed
 * @param cancelled inputs cancelled by {@link FanoutStream#cancel()} or a failing consumer (or whose task's
 *     future was cancelled)
 * @param inFlight inputs started whose task has not finished
 * @param buffered finished inputs waiting for the consumer
 * @param delivered inputs the consumer has returned from
 * @param elapsed time since the stream started, on its clock
 * @param sizeHint how many inputs the source holds, when it is known
 */
public record StreamProgress(
    long pulled,
    long succeeded,
    long failed,
    long timedOut,
    long cancelled,
    long inFlight,
    long buffered,
    long delivered,
    Duration elapsed,
    OptionalLong sizeHint) {

  /** Returns how many inputs have finished, whichever way. */
  public long done() {
    return succeeded + failed + timedOut + cancelled;
  }

  /** Returns finished inputs per second since the start, 0 before any time has passed. */
  public double ratePerSecond() {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0 : done() * 1e9 / nanos;
  }

  /**
   * Returns the time left at the rate so far, when the size of the source is known and the rate is not 0;
   * else empty.
   */
  public Optional<Duration> eta() {
    double rate = ratePerSecond();
    if (sizeHint.isEmpty() || rate <= 0) {
      return Optional.empty();
    }
    long left = Math.max(0, sizeHint.getAsLong() - done());
    return Optional.of(Duration.ofNanos((long) Math.min(Long.MAX_VALUE, left / rate * 1e9)));
  }

  @Override
  public String toString() {
    return String.format("%d done (%d ok, %d failed, %d timed out, %d cancelled) of %s, %d in flight, "
            + "%d buffered, %.1f/s%s",
        done(), succeeded, failed, timedOut, cancelled,
        sizeHint.isPresent() ? String.valueOf(sizeHint.getAsLong()) : pulled + " pulled",
        inFlight, buffered, ratePerSecond(),
        eta().map(d -> ", eta " + d.toSeconds() + " s").orElse(""));
  }
}
