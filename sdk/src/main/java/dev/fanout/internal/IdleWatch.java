package dev.fanout.internal;

import dev.fanout.FanoutClock;
import dev.fanout.errors.FanoutTimeoutException;
import java.time.Duration;

/**
 * A stream's idle timer: the stream must send a data event within the timeout, or its attempt is cancelled
 * (its reader then fails, and {@link #timedOut()} says why). Every data event re-arms it; comments such as
 * {@code : ping} do not reach the reader, so they do not. A zero timeout never fires. Not public API.
 */
final class IdleWatch {
  private final AttemptContext call;
  private final FanoutClock clock;
  private final Duration timeout;
  private volatile FanoutClock.Timer timer;
  private volatile boolean timedOut;
  private volatile boolean watching;

  /** Starts watching {@code call}'s stream. */
  IdleWatch(AttemptContext call, FanoutClock clock, Duration timeout) {
    this.call = call;
    this.clock = clock;
    this.timeout = timeout;
    this.watching = !timeout.isZero();
    arm();
  }

  /** (Re)starts the timer: a data event arrived. */
  void arm() {
    if (!watching) {
      return;
    }
    FanoutClock.Timer old = timer;
    if (old != null) {
      old.cancel();
    }
    timer = clock.schedule(timeout, () -> {
      if (watching) {
        timedOut = true;
        call.cancelAttempt();
      }
    });
  }

  /** Stops the timer: the stream has ended, one way or another. */
  void stop() {
    watching = false;
    FanoutClock.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
  }

  /** Returns true if the timer fired (and cancelled the attempt). */
  boolean timedOut() {
    return timedOut;
  }

  /** Returns the error for a stream that timed out after {@code deltas} deltas. */
  FanoutTimeoutException error(long deltas) {
    return new FanoutTimeoutException(call.label() + ": the stream sent nothing new for "
        + timeout.toMillis() + " ms (streamIdleTimeout: content, a tool call, usage or a finish count; "
        + "comments such as ': ping' and empty events do not) after "
        + deltas + " deltas", timeout);
  }
}
