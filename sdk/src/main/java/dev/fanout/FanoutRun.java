package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.FanoutSpan;
import dev.fanout.internal.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One running fan-out or scope: starts tasks up to the bound, each with its own {@link FanoutContext},
 * hands every settled outcome to the {@link Ledger} (which decides), and acts on the ledger's verdicts
 * outside its lock: cancels what is left, delivers per-input callbacks, completes the result. Tasks are
 * started by a drain loop, so a task that completes synchronously does not recurse into the next one.
 *
 * <p>A list combinator's run has all its inputs from the start. A {@link FanoutScope}'s run is
 * <em>open</em>: inputs (forks) arrive by {@link #add} and {@link #seal} says there are no more. Both share
 * this one implementation of the deadline, the cancel and the accounting; its context, clock, deadline,
 * task start and release are the {@link RunCore} the stream ({@link StreamRun}) runs on too.
 */
final class FanoutRun<I, T, R> {
  private final String combinator;
  /** The inputs; a scope's grows by {@link #add} (under {@link #addLock}), so it is copy-on-write. */
  private final List<I> inputs;
  private final Object addLock = new Object();
  private final boolean open;
  /** Whether a deadline's error names the unfinished inputs (their labels are not user code). */
  private final boolean nameUnfinished;
  private final Fanout.Task<? super I, T> task;
  private final int bound;
  private final FanoutOptions options;
  private final CallScope outer;
  /** The 429s and governor buckets this fan-out's calls met, for its report. */
  private final dev.fanout.internal.GovernorTally governorTally = new dev.fanout.internal.GovernorTally();
  private final FanoutClock clock;
  private final Deadline deadline;
  /** The per-input callback: no call after a cancel returns, none after it throws. */
  private final OutcomeCallback<T> callback;
  private final Ledger<T, R> ledger;
  private final FanoutFuture<R> result;
  /** Telemetry's view: started by the first call of a client with telemetry, ended with the result. */
  private final FanoutSpan span;
  private final AtomicInteger wip = new AtomicInteger();
  private volatile FanoutClock.Timer timer;
  /** The error this run's own deadline gave its unfinished inputs, once it passed; else null. */
  private volatile FanoutTimeoutException deadlineError;
  /**
   * Inputs that timed out on their own once the shared deadline had passed: their calls' timers for the
   * same deadline fired before the run's.
   */
  private final Set<Integer> timedOutAtDeadline = ConcurrentHashMap.newKeySet();
  private final long clockStart;
  /** The deadline, clock, enclosing context and task start this run shares with every other fan-out. */
  private final RunCore core;

  FanoutRun(
      String combinator,
      List<? extends I> inputs,
      Fanout.Task<? super I, T> task,
      FanoutOptions options,
      Ledger.Mode mode,
      int k,
      Consumer<Outcome<T>> onOutcome,
      Function<Ledger<T, R>, R> resultOf) {
    this(combinator, checked(inputs), false, task, options,
        now -> new Ledger<>(combinator, mode, k, inputs.size(), resultOf, now), onOutcome);
  }

  /** An open run (a scope's): inputs arrive by {@link #add} until {@link #seal}. */
  static <I, T, R> FanoutRun<I, T, R> open(
      String combinator, Fanout.Task<? super I, T> task, FanoutOptions options, Ledger.Mode mode,
      Function<Ledger<T, R>, R> resultOf) {
    return new FanoutRun<>(combinator, new CopyOnWriteArrayList<>(), true, task, options,
        now -> Ledger.open(combinator, mode, resultOf, now), null);
  }

  private static <I> List<I> checked(List<? extends I> inputs) {
    Objects.requireNonNull(inputs, "inputs == null");
    List<I> copy = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      I input = inputs.get(i);
      if (input == null) {
        throw new IllegalArgumentException("inputs[" + i + "] == null");
      }
      copy.add(input);
    }
    return copy;
  }

  private FanoutRun(
      String combinator,
      List<I> inputs,
      boolean open,
      Fanout.Task<? super I, T> task,
      FanoutOptions options,
      Function<LongSupplier, Ledger<T, R>> ledger,
      Consumer<Outcome<T>> onOutcome) {
    Objects.requireNonNull(task, "task == null");
    Objects.requireNonNull(options, "options == null");
    this.combinator = combinator;
    this.inputs = inputs;
    this.open = open;
    this.nameUnfinished = open;
    this.task = task;
    this.options = options;
    this.bound = options.maxConcurrency();
    this.callback = new OutcomeCallback<>(onOutcome);
    this.core = RunCore.resolve(options);
    this.outer = core.outer();
    this.clock = core.clock();
    this.clockStart = core.startNanos();
    this.deadline = core.deadline();
    this.ledger = ledger.apply(clock::nanoTime); // its times read the run's clock
    this.result = new FanoutFuture<>(this::stop, this::report);
    this.span = new FanoutSpan(combinator, inputs.size(),
        bound == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(bound));
  }

  /** Returns the run's result (a scope's join). */
  FanoutFuture<R> result() {
    return result;
  }

  /** Returns the deadline the run's inputs share. */
  Deadline deadline() {
    return deadline;
  }

  /**
   * Returns true if input {@code index} was cut off by the run's deadline: it was unfinished when the
   * deadline passed, or timed out on its own once it had (not earlier, at a nested scope's or a call's
   * own shorter timeout).
   */
  boolean cutOffByDeadline(int index) {
    Outcome<T> outcome = ledger.outcome(index);
    if (outcome == null || outcome.isSuccess()) {
      return false;
    }
    return timedOutAtDeadline.contains(index) || (deadlineError != null && outcome.error() == deadlineError);
  }

  /** Returns the input at {@code index}. */
  I input(int index) {
    return inputs.get(index);
  }

  /** Returns the outcome of input {@code index}, null while unsettled. */
  Outcome<T> outcome(int index) {
    return ledger.outcome(index);
  }

  /**
   * Adds an input to an open run and returns its index; {@link #startPending()} then starts it when the
   * bound allows. Runs no user code. If the run is already decided the input is settled at once, as
   * cancelled, and never started.
   */
  int add(I input) {
    Objects.requireNonNull(input, "input == null");
    synchronized (addLock) {
      inputs.add(input);
      return ledger.add(new FanoutCancelledException(
          combinator + " was already decided when " + input + " was added; it never started"));
    }
  }

  /** Starts the inputs waiting for the bound, on this thread. */
  void startPending() {
    pump();
  }

  /** Cancels the run if it is not decided yet: every input still running is cancelled for {@code reason}. */
  void cancel(String reason) {
    callback.stop();
    Ledger.Verdict<T, R> verdict = ledger.stop(unsettled -> new FanoutCancelledException(reason), false, reason);
    if (verdict != null) {
      conclude(verdict, null);
    }
  }

  /** Says an open run gets no more inputs: it is decided once those it has are settled. */
  void seal() {
    Ledger.Verdict<T, R> verdict = ledger.seal();
    if (verdict != null) {
      conclude(verdict, null);
    }
  }

  FanoutFuture<R> start() {
    // The SDK ends the span before it completes the result (complete(..)); this ends it when the caller
    // completed or cancelled the result itself, the one completion that does not pass through here.
    result.whenComplete((value, error) -> endSpan(error));
    String outerCancelled = core.joinOuter(result);
    if (outerCancelled != null) {
      stop();
      complete(null, new FanoutCancelledException(
          combinator + ": its context was cancelled (" + outerCancelled + ")"));
      return result;
    }
    if (!open && inputs.isEmpty()) {
      complete(ledger.decideEmpty(), null);
      return result;
    }
    FanoutClock.Timer t = core.scheduleDeadline(this::onDeadline);
    if (t != null) {
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
    CallScope scope = core.inputScope(outer, trace -> ledger.trace(index, trace));
    scope.fanoutSpan(span);
    scope.governorTally(governorTally);
    if (!ledger.attachScope(index, scope)) {
      scope.cancel("cancelled: the fan-out was decided before input " + index + " started");
      return;
    }
    CompletableFuture<T> future = RunCore.startTask(task, input, scope, () -> name(index));
    if (!ledger.attachFuture(index, future)) {
      future.cancel(true);
    }
    future.whenComplete((value, error) -> onDone(index, value, error));
  }

  private void onDone(int index, T value, Throwable error) {
    Outcome<T> outcome = RunCore.outcome(index, value, error, () -> name(index));
    if (outcome.isTimedOut() && deadline.isExpired()) {
      timedOutAtDeadline.add(index);
    }
    Ledger.Verdict<T, R> verdict = ledger.settle(index, outcome);
    if (verdict == null) {
      return; // already settled by the deadline or a cancel
    }
    Throwable callbackError = callback.deliver(outcome);
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
      FanoutTimeoutException error;
      if (nameUnfinished) {
        List<String> late = new ArrayList<>();
        for (int i : unfinished) {
          late.add(String.valueOf(inputs.get(i)));
        }
        error = core.deadlinePassed(combinator, "; late: " + String.join(", ", late));
      } else {
        error = core.deadlinePassed(combinator,
            " with " + unfinished.size() + " of " + inputs.size() + " inputs unfinished");
      }
      deadlineError = error;
      return error;
    }, "cancelled: the fan-out's deadline passed");
    if (verdict != null) {
      conclude(verdict, null);
    }
  }

  /** A caller cancelled or completed the result: decide now, cancel everything, deliver no more. */
  private void stop() {
    callback.stop(); // waits for a callback in progress; later ones are dropped
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
    if (callback.present() && override == null) {
      for (Outcome<T> outcome : verdict.rest()) {
        if (!(outcome.error() instanceof FanoutTimeoutException)) {
          break; // only a deadline delivers the rest (as timed out); decided results drop them
        }
        if (callback.deliver(outcome) != null) {
          break;
        }
      }
    }
    Throwable failure = override != null ? override : callback.failure();
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
    OutcomeCounts counts = ledger.counts();
    int succeeded = (int) counts.succeeded();
    int failed = (int) (counts.failed() + counts.timedOut());
    span.ended(succeeded, failed, inputs.size() - succeeded - failed, error == null ? null : Futures.unwrap(error));
  }

  private void release(Ledger.Verdict<T, R> verdict) {
    FanoutClock.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
    verdict.release().run(verdict.cancelReason());
  }

  /** Names input {@code index} in errors: "input 3 (row-3)". Runs the labeler: never under a lock. */
  private String name(int index) {
    return "input " + index + " (" + label(index) + ")";
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
    return RunReport.of(combinator, clockStart, end, s, this::label, governorTally.report(s.traces()));
  }
}
