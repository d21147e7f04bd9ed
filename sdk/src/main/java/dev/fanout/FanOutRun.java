package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One running fan-out: starts tasks up to the bound, records each input's outcome exactly once, decides the
 * result according to its {@link Mode}, and cancels what is left once the result is decided.
 *
 * <p>State changes happen under this object's lock; tasks are started, futures cancelled and results
 * completed outside it. Tasks are started by a drain loop, so a task that completes synchronously does
 * not recurse into the next one.
 */
final class FanOutRun<I, T, R> {
  enum Mode {
    ALL,
    SETTLE,
    FIRST_SUCCESS,
    FIRST_K
  }

  private final String combinator;
  private final List<I> inputs;
  private final Function<? super I, ? extends CompletionStage<T>> task;
  private final Mode mode;
  private final int k;
  private final int maxInFlight;
  private final FanOutOptions options;
  private final Deadline deadline;
  private final CallScope outerScope;
  private final Consumer<Outcome<T>> onOutcome;
  private final Function<FanOutRun<I, T, R>, R> resultOf;
  private final FanOutFuture<R> result;
  private final AtomicInteger wip = new AtomicInteger();
  /** Held while a per-input callback runs, and by cancel, so no callback runs after cancel returns. */
  private final Object deliveryLock = new Object();
  /** What the per-input callback threw first, if it did (written under deliveryLock); no callback runs after it. */
  private volatile Throwable callbackFailure;
  private final long startNanoTime;

  // Guarded by this.
  private final int n;
  private final Outcome<T>[] outcomes;
  private final CompletableFuture<?>[] running;
  private final List<Future<?>>[] calls;
  private final List<CallTrace>[] traces;
  private final long[] startNanos;
  private final long[] endNanos;
  private final List<T> successesInOrder = new ArrayList<>();
  private int next;
  private int inFlight;
  private int peak;
  private int settled;
  private int failures;
  private boolean decided;
  private long decidedNanos = -1;
  private ScheduledFuture<?> timer;

  @SuppressWarnings("unchecked")
  FanOutRun(
      String combinator,
      List<? extends I> inputs,
      Function<? super I, ? extends CompletionStage<T>> task,
      FanOutOptions options,
      Mode mode,
      int k,
      Consumer<Outcome<T>> onOutcome,
      Function<FanOutRun<I, T, R>, R> resultOf) {
    this.startNanoTime = System.nanoTime();
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
    this.task = task;
    this.options = options;
    this.mode = mode;
    this.k = k;
    this.maxInFlight = options.maxInFlight();
    this.onOutcome = onOutcome;
    this.resultOf = resultOf;
    this.outerScope = CallScope.current();
    this.deadline = options.effectiveDeadline(CallScope.currentDeadline());
    this.n = copy.size();
    this.outcomes = new Outcome[n];
    this.running = new CompletableFuture<?>[n];
    this.calls = new List[n];
    this.traces = new List[n];
    this.startNanos = new long[n];
    this.endNanos = new long[n];
    Arrays.fill(startNanos, -1);
    Arrays.fill(endNanos, -1);
    this.result = new FanOutFuture<>(this::cancelAll, this::report);
  }

  FanOutFuture<R> start() {
    if (n == 0) {
      R empty;
      synchronized (this) {
        empty = resultOf.apply(this);
      }
      decide(null, empty);
      return result;
    }
    if (!deadline.isNone()) {
      long delay = deadline.remainingNanos();
      ScheduledFuture<?> scheduled = Timers.schedule(this::onDeadline, delay);
      synchronized (this) {
        timer = scheduled;
      }
    }
    pump();
    return result;
  }

  // Reading results (called by resultOf under the lock, once every input needed has settled).

  List<T> valuesInInputOrder() {
    List<T> values = new ArrayList<>(n);
    for (Outcome<T> outcome : outcomes) {
      values.add(outcome.value());
    }
    return values;
  }

  List<Outcome<T>> outcomesInInputOrder() {
    return List.of(outcomes);
  }

  List<T> successesInCompletionOrder() {
    return new ArrayList<>(successesInOrder);
  }

  T firstSuccess() {
    return successesInOrder.get(0);
  }

  // The drain loop.

  private void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      while (true) {
        int index;
        synchronized (this) {
          if (decided || next >= n || inFlight >= maxInFlight) {
            break;
          }
          index = next++;
          inFlight++;
          peak = Math.max(peak, inFlight);
          startNanos[index] = System.nanoTime();
        }
        launch(index);
      }
    } while (wip.decrementAndGet() != 0);
  }

  private void launch(int index) {
    I input = inputs.get(index);
    CallScope scope = new CallScope(
        deadline,
        trace -> {
          synchronized (this) {
            if (traces[index] == null) {
              traces[index] = new ArrayList<>(1);
            }
            traces[index].add(trace);
          }
          if (outerScope != null) {
            outerScope.record(trace);
          }
        },
        call -> {
          boolean cancelNow;
          synchronized (this) {
            if (calls[index] == null) {
              calls[index] = new ArrayList<>(1);
            }
            calls[index].add(call);
            cancelNow = outcomes[index] != null;
          }
          if (outerScope != null) {
            outerScope.track(call);
          }
          if (cancelNow) {
            call.cancel(true);
          }
        });
    CompletableFuture<T> future;
    try {
      CompletionStage<T> stage = scope.run(() -> task.apply(input));
      if (stage == null) {
        throw new NullPointerException("task returned null for input " + index + " (" + label(index) + ")");
      }
      future = stage.toCompletableFuture();
    } catch (RuntimeException | Error e) {
      onDone(index, null, e);
      return;
    }
    boolean cancelNow;
    synchronized (this) {
      cancelNow = outcomes[index] != null;
      if (!cancelNow) {
        running[index] = future;
      }
    }
    if (cancelNow) {
      future.cancel(true);
    }
    future.whenComplete((value, error) -> onDone(index, value, error));
  }

  private void onDone(int index, T value, Throwable error) {
    Outcome<T> outcome;
    R decidedResult = null;
    Throwable decidedError = null;
    boolean decideNow = false;
    synchronized (this) {
      if (outcomes[index] != null) {
        return; // already settled by the deadline or a cancel
      }
      endNanos[index] = System.nanoTime();
      running[index] = null;
      inFlight--;
      outcome = error == null
          ? Outcome.success(index, value)
          : Outcome.failure(index, unwrap(index, error));
      outcomes[index] = outcome;
      settled++;
      if (outcome.isSuccess()) {
        successesInOrder.add(value);
      } else {
        failures++;
      }
      if (!decided) {
        switch (mode) {
          case ALL:
            if (!outcome.isSuccess()) {
              decideNow = true;
              decidedError = outcome.error();
            } else if (settled == n) {
              decideNow = true;
            }
            break;
          case SETTLE:
            decideNow = settled == n;
            break;
          case FIRST_SUCCESS:
          case FIRST_K:
            int needed = mode == Mode.FIRST_K ? k : 1;
            if (successesInOrder.size() >= needed) {
              decideNow = true;
            } else if (n - failures < needed) {
              decideNow = true;
              decidedError = notEnoughSuccesses(needed);
            }
            break;
          default:
            throw new AssertionError(mode);
        }
        if (decideNow && decidedError == null) {
          decidedResult = resultOf.apply(this);
        }
      }
    }
    Throwable callbackError = onOutcome == null ? null : deliver(outcome);
    if (callbackError != null) {
      decide(callbackError, null); // a throwing callback fails the fan-out; it must not leave it undecided
    } else if (decideNow) {
      decide(decidedError, decidedResult);
    } else {
      pump();
    }
  }

  /**
   * Hands {@code outcome} to the per-input callback unless the fan-out was cancelled or the callback has
   * already thrown; returns what it throws now, else null.
   */
  private Throwable deliver(Outcome<T> outcome) {
    synchronized (deliveryLock) {
      if (result.isCancelled() || callbackFailure != null) {
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

  private FanoutException notEnoughSuccesses(int needed) {
    FanoutException error = new FanoutException(String.format(
        "%s needed %d success(es) of %d inputs, but %d failed", combinator, needed, n, failures));
    for (Outcome<T> outcome : outcomes) {
      if (outcome != null && !outcome.isSuccess() && error.getSuppressed().length < 16) {
        error.addSuppressed(outcome.error());
      }
    }
    return error;
  }

  /** Completes the result and cancels every input still running or not yet started. */
  private void decide(Throwable error, R value) {
    List<CompletableFuture<?>> toCancel = new ArrayList<>();
    List<Future<?>> callsToCancel = new ArrayList<>();
    synchronized (this) {
      if (decided) {
        return;
      }
      decided = true;
      decidedNanos = System.nanoTime();
      if (timer != null) {
        timer.cancel(false);
      }
      String why = error != null
          ? "fan-out already failed: " + error
          : "fan-out result already decided";
      settleRemaining(new FanoutCancelledException("cancelled: " + why), toCancel, callsToCancel);
    }
    if (error != null) {
      result.completeExceptionally(error);
    } else {
      result.complete(value);
    }
    cancel(toCancel, callsToCancel);
  }

  private void onDeadline() {
    List<CompletableFuture<?>> toCancel = new ArrayList<>();
    List<Future<?>> callsToCancel = new ArrayList<>();
    R value = null;
    FanoutTimeoutException error;
    List<Outcome<T>> timedOut = new ArrayList<>();
    synchronized (this) {
      if (decided) {
        return;
      }
      decided = true;
      decidedNanos = System.nanoTime();
      int unfinished = n - settled;
      Duration budget = Duration.ofNanos(decidedNanos - startNanoTime);
      error = new FanoutTimeoutException(String.format(
          "%s deadline passed after %d ms with %d of %d inputs unfinished",
          combinator, budget.toMillis(), unfinished, n), budget);
      for (int i = 0; i < n; i++) {
        if (outcomes[i] == null) {
          timedOut.add(Outcome.failure(i, error));
        }
      }
      settleRemaining(error, toCancel, callsToCancel);
      if (mode == Mode.SETTLE) {
        value = resultOf.apply(this);
      }
    }
    cancel(toCancel, callsToCancel);
    if (onOutcome != null) {
      for (Outcome<T> outcome : timedOut) {
        if (deliver(outcome) != null) {
          break;
        }
      }
    }
    Throwable callbackError = callbackFailure;
    if (callbackError != null) {
      result.completeExceptionally(callbackError);
    } else if (mode == Mode.SETTLE) {
      result.complete(value);
    } else {
      result.completeExceptionally(error);
    }
  }

  private void cancelAll() {
    List<CompletableFuture<?>> toCancel = new ArrayList<>();
    List<Future<?>> callsToCancel = new ArrayList<>();
    synchronized (deliveryLock) {
      // Waits for a callback in progress; later ones see the cancelled result and are dropped.
    }
    synchronized (this) {
      if (decided) {
        return;
      }
      decided = true;
      decidedNanos = System.nanoTime();
      if (timer != null) {
        timer.cancel(false);
      }
      settleRemaining(new FanoutCancelledException("cancelled: the fan-out was cancelled"), toCancel, callsToCancel);
    }
    cancel(toCancel, callsToCancel);
  }

  /** Gives every unsettled input the outcome {@code error}; collects what must be cancelled. Holds the lock. */
  private void settleRemaining(
      FanoutException error, List<CompletableFuture<?>> toCancel, List<Future<?>> callsToCancel) {
    long now = decidedNanos;
    for (int i = 0; i < n; i++) {
      if (outcomes[i] != null) {
        continue;
      }
      outcomes[i] = Outcome.failure(i, error);
      settled++;
      failures++;
      if (startNanos[i] >= 0) {
        endNanos[i] = now;
        inFlight--;
      }
      if (running[i] != null) {
        toCancel.add(running[i]);
        running[i] = null;
      }
      if (calls[i] != null) {
        callsToCancel.addAll(calls[i]);
      }
    }
    next = n;
  }

  private static void cancel(List<CompletableFuture<?>> futures, List<Future<?>> calls) {
    for (CompletableFuture<?> future : futures) {
      future.cancel(true);
    }
    for (Future<?> call : calls) {
      call.cancel(true);
    }
  }

  private Throwable unwrap(int index, Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof CancellationException) {
      return new FanoutCancelledException("input " + index + " (" + label(index) + ") was cancelled", cause);
    }
    return cause;
  }

  private String label(int index) {
    try {
      return options.label(inputs.get(index));
    } catch (RuntimeException e) {
      return String.valueOf(inputs.get(index));
    }
  }

  synchronized FanoutReport report() {
    boolean finished = decided;
    long end = finished ? decidedNanos : System.nanoTime();
    List<FanoutReport.Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Outcome<T> outcome = outcomes[i];
      String status = outcome == null ? "running" : outcome.isSuccess() ? "ok" : outcome.error().getClass().getSimpleName();
      List<CallTrace> callTraces = traces[i] == null ? List.of() : traces[i];
      int attempts = 0;
      for (CallTrace trace : callTraces) {
        attempts += trace.attempts();
      }
      if (attempts == 0 && startNanos[i] >= 0) {
        attempts = 1;
      }
      entries.add(new FanoutReport.Entry(
          i,
          label(i),
          startNanos[i] < 0 ? -1 : startNanos[i] - startNanoTime,
          endNanos[i] < 0 ? -1 : endNanos[i] - startNanoTime,
          attempts,
          status,
          callTraces));
    }
    return new FanoutReport(combinator, startNanoTime, end - startNanoTime, finished, peak, entries);
  }
}
