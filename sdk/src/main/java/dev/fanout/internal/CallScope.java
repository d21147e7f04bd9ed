package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a fan-out hands down to the calls its tasks start: the deadline they share and where their
 * {@link CallTrace}s go.
 *
 * <p>A fan-out installs a scope on the current thread while it invokes a task's function; the client reads
 * {@link #current()} when a call is created (synchronously, inside that function), so the call is charged
 * against the fan-out's deadline and its trace reaches the fan-out's report. A fan-out started inside a
 * task sees the outer scope and keeps the earlier of the two deadlines.
 */
public final class CallScope {
  private static final ThreadLocal<CallScope> CURRENT = new ThreadLocal<>();

  private final Deadline deadline;
  private final Consumer<CallTrace> traceSink;
  private final Consumer<Future<?>> callSink;

  public CallScope(Deadline deadline, Consumer<CallTrace> traceSink) {
    this(deadline, traceSink, null);
  }

  /**
   * @param callSink receives every call future created in this scope, so the fan-out can cancel the calls
   *     a task started even when the task returned a derived future (a {@code thenApply} of the call does
   *     not pass its cancellation on).
   */
  public CallScope(Deadline deadline, Consumer<CallTrace> traceSink, Consumer<Future<?>> callSink) {
    this.deadline = Objects.requireNonNull(deadline, "deadline == null");
    this.traceSink = traceSink;
    this.callSink = callSink;
  }

  /** Returns the scope installed on this thread, or {@code null} outside any fan-out. */
  public static CallScope current() {
    return CURRENT.get();
  }

  /** Returns the deadline of the current scope, or {@link Deadline#none()} outside any fan-out. */
  public static Deadline currentDeadline() {
    CallScope scope = CURRENT.get();
    return scope == null ? Deadline.none() : scope.deadline;
  }

  /** Runs {@code body} with this scope installed on the current thread, restoring the previous one after. */
  public <T> T run(Supplier<T> body) {
    CallScope previous = CURRENT.get();
    CURRENT.set(this);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  public Deadline deadline() {
    return deadline;
  }

  /** Registers a call started in this scope so that cancelling the task that started it cancels the call. */
  public void track(Future<?> call) {
    if (callSink != null) {
      callSink.accept(call);
    }
  }

  /** Delivers a finished call's trace to the fan-out that started it; no-op without a sink. */
  public void record(CallTrace trace) {
    if (traceSink != null) {
      traceSink.accept(trace);
    }
  }
}
