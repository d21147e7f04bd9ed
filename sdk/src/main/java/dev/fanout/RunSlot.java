package dev.fanout;

import dev.fanout.internal.CallScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One input of a fan-out, a scope or a stream: when it started and ended (readings of the run's clock), what
 * runs for it while it is in flight, and how it ended. Every form settles an input here and nowhere else:
 * {@link #settle} takes the first outcome and refuses the rest, so whichever of the task's result, the
 * deadline or a stop comes first decides, and the others find the input settled. Not thread-safe: its owner
 * ({@link Ledger}, {@link StreamState}) holds its lock around every call.
 */
class RunSlot<T> {
  /** What a stop hands back to be cancelled outside the owner's lock: the inputs' futures and scopes. */
  record Release(List<CompletableFuture<?>> futures, List<CallScope> scopes) {
    private static final Release NONE = new Release(List.of(), List.of());

    static Release none() {
      return NONE;
    }

    /** Cancels the scopes (down to their calls' sockets), then the futures. */
    void run(String reason) {
      RunCore.release(futures, scopes, reason);
    }
  }

  /** Collects what the slots settled by one stop must release. */
  static final class Releaser {
    private final List<CompletableFuture<?>> futures = new ArrayList<>();
    private final List<CallScope> scopes = new ArrayList<>();

    Release release() {
      return futures.isEmpty() && scopes.isEmpty() ? Release.NONE : new Release(futures, scopes);
    }
  }

  final long index;
  private long startNanos = -1;
  private long endNanos = -1;
  private CallScope scope;
  private CompletableFuture<?> future;
  private Outcome<T> outcome;

  RunSlot(long index) {
    this.index = index;
  }

  /** The input starts now: its task is about to run. */
  void start(long now) {
    startNanos = now;
  }

  /** When it started on the run's clock, or -1 if it never did. */
  long startNanos() {
    return startNanos;
  }

  /** When it was settled on the run's clock, or -1 if it never started or is still in flight. */
  long endNanos() {
    return endNanos;
  }

  /** How it ended, or null while it is unsettled. */
  Outcome<T> outcome() {
    return outcome;
  }

  boolean isSettled() {
    return outcome != null;
  }

  /** Holds the scope its calls run in until it settles; false if it is settled already (then the caller cancels it). */
  boolean attach(CallScope scope) {
    if (outcome != null) {
      return false;
    }
    this.scope = scope;
    return true;
  }

  /** Holds its task's future until it settles; false if it is settled already (then the caller cancels it). */
  boolean attach(CompletableFuture<?> future) {
    if (outcome != null) {
      return false;
    }
    this.future = future;
    return true;
  }

  /**
   * Settles the input with {@code outcome} at {@code now}, unless it is settled already: returns false then,
   * and changes nothing. What ran for it is no longer held; a stop passes {@code releaser} to have it
   * cancelled, a task that ended by itself passes null (nothing of it still runs).
   */
  boolean settle(Outcome<T> outcome, long now, Releaser releaser) {
    if (this.outcome != null) {
      return false;
    }
    this.outcome = outcome;
    if (startNanos >= 0) {
      endNanos = now;
    }
    if (releaser != null) {
      if (future != null) {
        releaser.futures.add(future);
      }
      if (scope != null) {
        releaser.scopes.add(scope);
      }
    }
    future = null;
    scope = null;
    return true;
  }
}
