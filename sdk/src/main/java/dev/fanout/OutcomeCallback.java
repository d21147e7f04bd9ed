package dev.fanout;

import java.util.function.Consumer;

/**
 * A fan-out's per-input callback: hands it each settled outcome, one at a time, until the fan-out stops or
 * the callback throws. A stop waits for a callback in progress, so no callback runs after a cancel returns.
 */
final class OutcomeCallback<T> {
  /** The caller's callback; null when the fan-out has none. */
  private final Consumer<Outcome<T>> callback;
  /** Held while the callback runs, and by a stop. */
  private final Object lock = new Object();
  private volatile boolean stopped;
  /** What the callback threw first, if it did; it is not called after that. */
  private volatile Throwable failure;

  OutcomeCallback(Consumer<Outcome<T>> callback) {
    this.callback = callback;
  }

  /** Returns whether the fan-out has a callback at all. */
  boolean present() {
    return callback != null;
  }

  /** Stops handing outcomes on; waits for a callback in progress, later ones are dropped. */
  void stop() {
    synchronized (lock) {
      stopped = true;
    }
  }

  /** Returns what the callback threw, or null. */
  Throwable failure() {
    return failure;
  }

  /**
   * Hands {@code outcome} to the callback unless there is none, the fan-out was stopped or the callback has
   * already thrown; returns what it throws now, else null.
   */
  Throwable deliver(Outcome<T> outcome) {
    if (callback == null) {
      return null;
    }
    synchronized (lock) {
      if (stopped || failure != null) {
        return null;
      }
      try {
        callback.accept(outcome);
        return null;
      } catch (RuntimeException | Error e) {
        failure = e;
        return e;
      }
    }
  }
}
