package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.Futures;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What every fan-out shares, whatever shape its inputs have (a list, a scope's forks, a stream): where its
 * time comes from, the deadline its inputs share, how it joins the enclosing context, how one input's task
 * is started and its result turned into an {@link Outcome}, the error the deadline gives what is unfinished,
 * and how what still runs is released. {@link FanoutRun} (list combinators and scopes) and {@link StreamRun}
 * (the stream) each hold one. Their books settle and count each input the same way too ({@link RunSlot},
 * {@link OutcomeCounts}), each under its own lock: a list's or a scope's {@link Ledger} keeps every input,
 * which its result needs; a stream's {@link StreamState} keeps only those in flight.
 *
 * <p>Every time a run reads comes from {@link #clock()}: the options' clock, else the enclosing context's,
 * else the deadline's, else {@link FanoutClock#system()}.
 *
 * @param outer the enclosing context's scope, or null
 * @param clock where every time the run reads comes from
 * @param deadline the deadline the run's inputs share: the earlier of the options' and the enclosing context's
 * @param startNanos when the run started, on {@link #clock()}
 */
record RunCore(CallScope outer, FanoutClock clock, Deadline deadline, long startNanos) {
  /** Resolves the enclosing context, the clock and the deadline of a run with {@code options}, starting now. */
  static RunCore resolve(FanoutOptions options) {
    FanoutContext outerContext = options.context() != null ? options.context() : FanoutContext.current();
    CallScope outer = outerContext.scope();
    FanoutClock clock = options.clock() != null ? options.clock()
        : outer != null ? outer.clock()
        : options.deadline() != null ? options.deadline().clock()
        : FanoutClock.system();
    long start = clock.nanoTime();
    return new RunCore(outer, clock, options.effectiveDeadline(outerContext.deadline(), clock), start);
  }

  /** Time since the run started, on {@link #clock()}. */
  Duration elapsed() {
    return Duration.ofNanos(clock.nanoTime() - startNanos);
  }

  /**
   * Registers the run's result with the enclosing context, so cancelling the context cancels the run.
   * Returns null if registered (or there is no enclosing context), else why that context was cancelled.
   */
  String joinOuter(CompletableFuture<?> result) {
    if (outer == null || outer.register(result)) {
      return null;
    }
    return outer.cancelledBecause();
  }

  /** Schedules {@code onDeadline} for the shared deadline on its clock; returns null if there is none. */
  FanoutClock.Timer scheduleDeadline(Runnable onDeadline) {
    if (deadline.isNone()) {
      return null;
    }
    return deadline.clock().schedule(deadline.remaining(), onDeadline);
  }

  /** A new scope for one input: a child of the enclosing context's, under the shared deadline and clock. */
  CallScope inputScope(CallScope parent, java.util.function.Consumer<CallTrace> traceSink) {
    return new CallScope(parent, deadline, clock, traceSink);
  }

  /**
   * Starts {@code task} on {@code input} with a context over {@code scope}, on this thread. Whatever the
   * task throws, or a null it returns, comes back as a failed future: the input is settled like any other.
   *
   * @param name names the input in errors ("input 3 (row-3)"); called only on those paths
   */
  static <I, T> CompletableFuture<T> startTask(
      Fanout.Task<? super I, T> task, I input, CallScope scope, Supplier<String> name) {
    FanoutContext context = new FanoutContext(scope);
    try {
      CompletionStage<T> stage = context.runIn(() -> task.start(input, context));
      if (stage == null) {
        throw new NullPointerException("task returned null for " + name.get());
      }
      return stage.toCompletableFuture();
    } catch (Throwable e) { // a checked exception thrown sneakily too: the input must be settled
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The outcome of an input whose task ended with {@code value} or {@code error}: the error unwrapped, a
   * cancellation as {@link FanoutCancelledException} naming the input.
   */
  static <T> Outcome<T> outcome(int index, T value, Throwable error, Supplier<String> name) {
    if (error == null) {
      return Outcome.success(index, value);
    }
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof CancellationException) {
      cause = new FanoutCancelledException(name.get() + " was cancelled", cause);
    }
    return Outcome.failure(index, cause);
  }

  /** An input's {@link Outcome#index()}: its index, capped at {@link Integer#MAX_VALUE} (a stream's may exceed it). */
  static int outcomeIndex(long index) {
    return (int) Math.min(index, Integer.MAX_VALUE);
  }

  /** The error the deadline gives every unfinished input: "{@code what} deadline passed after N ms{@code detail}". */
  FanoutTimeoutException deadlinePassed(String what, String detail) {
    Duration elapsed = elapsed();
    return new FanoutTimeoutException(
        what + " deadline passed after " + elapsed.toMillis() + " ms" + detail, elapsed);
  }

  /**
   * Releases what an input or a run still holds: cancels the scopes, for {@code reason}, and the futures
   * (down to their calls). Runs no user code beyond the futures' own cancellation handlers.
   *
   * <p>Every scope is marked cancelled before any call is: a call cancelled here frees a {@code maxInFlight}
   * slot, and a queued call of an input not reached yet must find its scope cancelled when the slot releases
   * it, so that it is refused before it is sent.
   */
  static void release(Collection<? extends CompletableFuture<?>> futures, Collection<CallScope> scopes,
      String reason) {
    CallScope.cancelAll(scopes, reason);
    for (CompletableFuture<?> future : futures) {
      future.cancel(true);
    }
  }
}
