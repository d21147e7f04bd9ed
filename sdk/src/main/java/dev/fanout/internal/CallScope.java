package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.FanoutClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The state behind a {@link dev.fanout.FanoutContext}: the deadline its calls share, its cancellation, the
 * registry of the calls (and nested fan-outs) started through it, and where their {@link CallTrace}s go.
 *
 * <p>Scopes form a tree: an input of a fan-out started inside another fan-out's task has the outer input's
 * scope as parent. A future registered here is registered with every ancestor too, so cancelling any of
 * them cancels it; a scope is cancelled if any ancestor is. Registered futures leave the registry when they
 * complete. Thread-safe.
 */
public final class CallScope {
  private final CallScope parent;
  private final Deadline deadline;
  private final FanoutClock clock;
  private final Consumer<CallTrace> traceSink;
  private final Object lock = new Object();
  private final Set<CompletableFuture<?>> registered = new HashSet<>(); // guarded by lock
  private volatile String cancelledBecause;
  private volatile FanoutSpan fanoutSpan;
  private volatile GovernorTally governorTally;

  /**
   * @param parent the enclosing scope, or null
   * @param deadline already the earlier of this scope's own and the parent's
   * @param clock the clock the scope's timers run on
   * @param traceSink receives every finished call's trace (then the parent's sink does); may be null
   */
  public CallScope(CallScope parent, Deadline deadline, FanoutClock clock, Consumer<CallTrace> traceSink) {
    this.parent = parent;
    this.deadline = Objects.requireNonNull(deadline, "deadline == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.traceSink = traceSink;
  }

  public CallScope parent() {
    return parent;
  }

  public Deadline deadline() {
    return deadline;
  }

  public FanoutClock clock() {
    return clock;
  }

  /** Returns why this scope or an ancestor was cancelled, or null if none was. */
  public String cancelledBecause() {
    for (CallScope s = this; s != null; s = s.parent) {
      String why = s.cancelledBecause;
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  public boolean isCancelled() {
    return cancelledBecause() != null;
  }

  /**
   * Registers {@code future} here and with every ancestor, so cancelling any of them cancels it; it leaves
   * the registries when it completes. Returns false, registering nothing, if this scope is already
   * cancelled: the caller fails the work at once.
   */
  public boolean register(CompletableFuture<?> future) {
    List<CallScope> added = new ArrayList<>(2);
    for (CallScope s = this; s != null; s = s.parent) {
      synchronized (s.lock) {
        if (s.cancelledBecause != null) {
          for (CallScope a : added) {
            a.remove(future);
          }
          return false;
        }
        s.registered.add(future);
      }
      added.add(s);
    }
    future.whenComplete((v, t) -> {
      for (CallScope a : added) {
        a.remove(future);
      }
    });
    return true;
  }

  private void remove(CompletableFuture<?> future) {
    synchronized (lock) {
      registered.remove(future);
    }
  }

  /** Cancels this scope (once): every registered future is cancelled and later registrations are refused. */
  public void cancel(String because) {
    cancelAll(List.of(this), because);
  }

  /**
   * Cancels {@code scopes} (each once) for {@code because}: first marks every one cancelled, then cancels
   * what was registered with them. A call of any of them that its queue releases while the others are being
   * cancelled (a cancelled call frees the slot it waits for) is refused before it is sent, because its
   * scope is already marked.
   */
  public static void cancelAll(java.util.Collection<CallScope> scopes, String because) {
    Objects.requireNonNull(because, "because == null");
    List<CompletableFuture<?>> toCancel = new ArrayList<>();
    for (CallScope s : scopes) {
      synchronized (s.lock) {
        if (s.cancelledBecause != null) {
          continue;
        }
        s.cancelledBecause = because;
        toCancel.addAll(s.registered);
        s.registered.clear();
      }
    }
    for (CompletableFuture<?> f : toCancel) {
      f.cancel(true);
    }
  }

  /** Sets the telemetry view of the fan-out whose task this scope is. */
  public void fanoutSpan(FanoutSpan span) {
    this.fanoutSpan = span;
  }

  /** Returns the telemetry view of the nearest enclosing fan-out, or null. */
  FanoutSpan fanoutSpan() {
    for (CallScope s = this; s != null; s = s.parent) {
      FanoutSpan span = s.fanoutSpan;
      if (span != null) {
        return span;
      }
    }
    return null;
  }

  /** Sets where the calls of this scope (and of scopes under it) count their 429s and governor buckets. */
  public void governorTally(GovernorTally tally) {
    this.governorTally = tally;
  }

  /** An attempt of a call in this scope was answered 429: counted by every enclosing fan-out. */
  void rateLimited() {
    for (CallScope s = this; s != null; s = s.parent) {
      GovernorTally t = s.governorTally;
      if (t != null) {
        t.rateLimited();
      }
    }
  }

  /** An attempt of a call in this scope was admitted to {@code bucket}: shown by every enclosing fan-out. */
  void admittedTo(AttemptGate.GovernedBucket bucket) {
    if (bucket == null) {
      return;
    }
    for (CallScope s = this; s != null; s = s.parent) {
      GovernorTally t = s.governorTally;
      if (t != null) {
        t.admittedTo(bucket);
      }
    }
  }

  /** Delivers a finished call's trace to this scope's sink and its ancestors'. */
  public void record(CallTrace trace) {
    for (CallScope s = this; s != null; s = s.parent) {
      if (s.traceSink != null) {
        s.traceSink.accept(trace);
      }
    }
  }
}
