package dev.fanout.internal;

import dev.fanout.FanoutClock;
import dev.fanout.errors.FanoutTimeoutException;
import java.time.Duration;

/**
 * A stream's idle timer: the stream must make progress within the timeout, or its attempt is cancelled (its
 * reader then fails, and {@link #timedOut()} says why). A reader reads each data event through
 * {@link #event(Runnable)} and calls {@link #progress()} for what counts as progress (content, a tool-call
 * fragment, usage, a finish); only an event that did re-arms the timer. Comments such as {@code : ping} never
 * reach the reader, and events that carry nothing new do not count, so neither keeps a stream alive. A zero
 * timeout never fires. One reader thread per watch. Not public API.
 */
final class IdleWatch {
  private final AttemptContext call;
  private final FanoutClock clock;
  private final Duration timeout;
  private volatile FanoutClock.Timer timer;
  private volatile boolean timedOut;
  private volatile boolean watching;
  /** The event being read made progress (read and written by the reader's thread only). */
  private boolean progressed;

  /** Starts watching {@code call}'s stream. */
  IdleWatch(AttemptContext call, FanoutClock clock, Duration timeout) {
    this.call = call;
    this.clock = clock;
    this.timeout = timeout;
    this.watching = !timeout.isZero();
    arm();
  }

  /**
   * Reads one data event with {@code read}: if it called {@link #progress()}, the timer restarts once the
   * event is read (also when reading it threw).
   */
  void event(Runnable read) {
    progressed = false;
    try {
      read.run();
    } finally {
      if (progressed) {
        arm();
      }
    }
  }

  /** The event being read made progress. */
  void progress() {
    progressed = true;
  }

  /** (Re)starts the timer. */
  private void arm() {
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
