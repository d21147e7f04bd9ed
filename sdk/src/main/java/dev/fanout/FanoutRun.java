package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.Contexts;
import dev.fanout.internal.FanoutSpan;
import dev.fanout.internal.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One running fan-out: starts tasks up to the bound, each with its own {@link FanoutContext}, hands every
 * settled outcome to the {@link Ledger} (which decides), and acts on the ledger's verdicts outside its
 * lock: cancels what is left, delivers per-input callbacks, completes the result. Tasks are started by a
 * drain loop, so a task that completes synchronously does not recurse into the next one.
 */
final class FanoutRun<I, T, R> {
  private final String combinator;
  private final List<I> inputs;
  private final Fanout.Task<? super I, T> task;
  private final int bound;
  private final FanoutOptions options;
  private final CallScope outer;
  /** The 429s and governor buckets this fan-out's calls met, for its report. */
  private final dev.fanout.internal.GovernorTally governorTally = new dev.fanout.internal.GovernorTally();
  private final FanoutClock clock;
  private final Deadline deadline;
  private final Consumer<Outcome<T>> onOutcome;
  private final Ledger<T, R> ledger;
  private final FanoutFuture<R> result;
  /** Telemetry's view: started by the first call of a client with telemetry, ended with the result. */
  private final FanoutSpan span;
  private final AtomicInteger wip = new AtomicInteger();
  /** Held while a per-input callback runs, and by a stop, so no callback runs after cancel returns. */
  private final Object deliveryLock = new Object();
  private volatile boolean stopped;
  /** What the per-input callback threw first, if it did; no callback runs after it. */
  private volatile Throwable callbackFailure;
  private volatile FanoutClock.Timer timer;
  private final long clockStart;
  private final int n;
  /** Settling combinators (settleAll, asCompleted) succeed at the deadline with what has finished. */
  private final boolean settleMode;

  FanoutRun(
      String combinator,
      List<? extends I> inputs,
      Fanout.Task<? super I, T> task,
      FanoutOptions options,
      Ledger.Mode mode,
      int k,
      Consumer<Outcome<T>> onOutcome,
      Function<Ledger<T, R>, R> resultOf) {
    Objects.requireNonNull(inputs, "inputs == null");
    Objects.requireNonNull(task, "task == null");
    Objects.requireNonNull(options, "options == null");
    List<I> copy = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      I input = inputs.get(i);
      if (input == null) {
        throw new IllegalArgumentException("inputs[" + i + "] == null");
      }
      copy.add(input);
    }
    this.combinator = combinator;
    this.inputs = copy;
    this.n = copy.size();
    this.task = task;
    this.options = options;
    this.bound = options.maxConcurrency();
    this.onOutcome = onOutcome;
    FanoutContext outerContext = options.context() != null ? options.context() : FanoutContext.current();
    this.outer = outerContext.scope();
    this.clock = options.clock() != null ? options.clock()
        : outer != null ? outer.clock()
        : options.deadline() != null ? options.deadline().clock()
        : FanoutClock.system();
    this.clockStart = clock.nanoTime();
    this.deadline = options.effectiveDeadline(outerContext.deadline(), clock);
    this.settleMode = mode == Ledger.Mode.SETTLE;
    this.ledger = new Ledger<>(combinator, mode, k, n, resultOf, clock::nanoTime);
    this.result = new FanoutFuture<>(this::stop, this::report);
    this.span = new FanoutSpan(combinator, n,
        bound == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(bound));
  }

  FanoutFuture<R> start() {
    // The SDK ends the span before it completes the result (complete(..)); this ends it when the caller
    // completed or cancelled the result itself, the one completion that does not pass through here.
    result.whenComplete((value, error) -> endSpan(error));
    if (outer != null && !outer.register(result)) {
      stop();
      complete(null, new FanoutCancelledException(
          combinator + ": its context was cancelled (" + outer.cancelledBecause() + ")"));
      return result;
    }
    if (n == 0) {
      complete(ledger.decideEmpty(), null);
      return result;
    }
    if (!deadline.isNone()) {
      FanoutClock.Timer t = deadline.clock().schedule(deadline.remaining(), this::onDeadline);
      timer = t;
      if (result.isDone()) {
        t.cancel();
      }
    }
    pump();
    return result;
  }

  // The drain loop.

  private void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      int index;
      while ((index = ledger.claimNext(bound)) >= 0) {
        launch(index);
      }
    } while (wip.decrementAndGet() != 0);
  }

  private void launch(int index) {
    I input = inputs.get(index);
    CallScope scope = new CallScope(outer, deadline, clock, trace -> ledger.trace(index, trace));
    scope.fanoutSpan(span);
    scope.governorTally(governorTally);
    if (!ledger.attachScope(index, scope)) {
      scope.cancel("cancelled: the fan-out was decided before input " + index + " started");
      return;
    }
    FanoutContext context = new FanoutContext(scope);
    CompletableFuture<T> future;
    try {
      CompletionStage<T> stage = Contexts.runIn(context, () -> task.start(input, context));
      if (stage == null) {
        throw new NullPointerException("task returned null for input " + index + " (" + label(index) + ")");
      }
      future = stage.toCompletableFuture();
    } catch (RuntimeException | Error e) {
      onDone(index, null, e);
      return;
    }
    if (!ledger.attachFuture(index, future)) {
      future.cancel(true);
    }
    future.whenComplete((value, error) -> onDone(index, value, error));
  }

  private void onDone(int index, T value, Throwable error) {
    Outcome<T> outcome = error == null
        ? Outcome.success(index, value)
        : Outcome.failure(index, unwrap(index, error));
    Ledger.Verdict<T, R> verdict = ledger.settle(index, outcome);
    if (verdict == null) {
      return; // already settled by the deadline or a cancel
    }
    Throwable callbackError = onOutcome == null ? null : deliver(outcome);
    if (callbackError != null) {
      // A throwing callback fails the fan-out; it must not leave it undecided.
      Ledger.Verdict<T, R> stop = verdict.decided() ? verdict
          : ledger.stop(unsettled -> new FanoutCancelledException(
              "cancelled: the per-input callback failed: " + callbackError), false,
              "cancelled: the per-input callback failed");
      if (stop != null) {
        conclude(stop, callbackError);
      }
    } else if (verdict.decided()) {
      conclude(verdict, null);
    } else {
      pump();
    }
  }

  private void onDeadline() {
    Ledger.Verdict<T, R> verdict = ledger.stopAtDeadline(unfinished -> {
      Duration elapsed = Duration.ofNanos(clock.nanoTime() - clockStart);
      return new FanoutTimeoutException(String.format(
          "%s deadline passed after %d ms with %d of %d inputs unfinished",
          combinator, elapsed.toMillis(), unfinished, n), elapsed);
    }, "cancelled: the fan-out's deadline passed");
    if (verdict != null) {
      conclude(verdict, null);
    }
  }

  /** A caller cancelled or completed the result: decide now, cancel everything, deliver no more. */
  private void stop() {
    synchronized (deliveryLock) {
      stopped = true; // waits for a callback in progress; later ones are dropped
    }
    Ledger.Verdict<T, R> verdict = ledger.stop(
        unsettled -> new FanoutCancelledException("cancelled: the fan-out was cancelled"), false,
        "cancelled: the fan-out was cancelled");
    if (verdict != null) {
      release(verdict);
    }
  }

  /** The one path that ends a fan-out: release what runs, deliver the rest's outcomes, complete. */
  private void conclude(Ledger.Verdict<T, R> verdict, Throwable override) {
    release(verdict);
    if (onOutcome != null && override == null) {
      for (Outcome<T> outcome : verdict.rest()) {
        if (!(outcome.error() instanceof FanoutTimeoutException)) {
          break; // only a deadline delivers the rest (as timed out); decided results drop them
        }
        if (deliver(outcome) != null) {
          break;
        }
      }
    }
    Throwable failure = override != null ? override : callbackFailure;
    if (failure != null) {
      complete(null, failure);
    } else if (verdict.error() != null) {
      complete(null, verdict.error());
    } else {
      complete(verdict.value(), null);
    }
  }

  /**
   * Ends the fan-out's span, then completes the result: whoever sees the result done (a {@code get()}, a
   * continuation) sees the span ended, as a call's span ends before its future completes.
   */
  private void complete(R value, Throwable error) {
    endSpan(error);
    if (error != null) {
      result.fail(error);
    } else {
      result.succeed(value);
    }
  }

  private void endSpan(Throwable error) {
    int succeeded = 0;
    int failed = 0;
    for (Outcome<?> outcome : ledger.snapshot().outcomes()) {
      if (outcome != null && outcome.isSuccess()) {
        succeeded++;
      } else if (outcome != null && outcome.kind() != Outcome.Kind.CANCELLED) { // failed or timed out
        failed++;
      }
    }
    span.ended(succeeded, failed, n - succeeded - failed, error == null ? null : Futures.unwrap(error));
  }

  private void release(Ledger.Verdict<T, R> verdict) {
    FanoutClock.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
    for (CompletableFuture<?> future : verdict.toCancel()) {
      future.cancel(true);
    }
    for (CallScope scope : verdict.scopesToCancel()) {
      scope.cancel(verdict.cancelReason());
    }
  }

  /**
   * Hands {@code outcome} to the per-input callback unless the fan-out was stopped or the callback has
   * already thrown; returns what it throws now, else null.
   */
  private Throwable deliver(Outcome<T> outcome) {
    synchronized (deliveryLock) {
      if (stopped || callbackFailure != null) {
        return null;
      }
      try {
        onOutcome.accept(outcome);
        return null;
      } catch (RuntimeException | Error e) {
        callbackFailure = e;
        return e;
      }
    }
  }

  private Throwable unwrap(int index, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof CancellationException) {
      return new FanoutCancelledException("input " + index + " (" + label(index) + ") was cancelled", cause);
    }
    return cause;
  }

  /** Runs the user's labeler; never called under a lock. */
  private String label(int index) {
    try {
      return options.label(inputs.get(index));
    } catch (RuntimeException e) {
      return String.valueOf(inputs.get(index));
    }
  }

  FanoutReport report() {
    Ledger.Snapshot s = ledger.snapshot();
    long end = s.decided() ? s.decidedNanos() : clock.nanoTime();
    List<FanoutReport.Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Outcome<?> outcome = s.outcomes()[i];
      List<CallTrace> callTraces = s.traces().get(i);
      int attempts = 0;
      for (CallTrace trace : callTraces) {
        attempts += trace.attempts();
      }
      if (attempts == 0 && s.startNanos()[i] >= 0) {
        attempts = 1;
      }
      Outcome.Kind kind = outcome == null ? Outcome.Kind.RUNNING : outcome.kind();
      Class<? extends Throwable> errorType = outcome == null || outcome.isSuccess() ? null : outcome.error().getClass();
      entries.add(new FanoutReport.Entry(
          i,
          label(i),
          s.startNanos()[i] < 0 ? -1 : s.startNanos()[i] - clockStart,
          s.endNanos()[i] < 0 ? -1 : s.endNanos()[i] - clockStart,
          attempts,
          kind,
          errorType,
          callTraces));
    }
    return new FanoutReport(combinator, clockStart, end - clockStart, s.decided(), s.peak(), entries,
        governorTally.report(s.traces()));
  }
}
