package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import dev.fanout.internal.Futures;

/**
 * The shapes of concurrent work: a {@link FanoutScope} for one request's mixed calls, combinators that run
 * one asynchronous task per input of a list and combine the results, and a {@link FanoutStream} for inputs
 * that do not fit in memory ({@link #stream}).
 *
 * <h2>A scope for mixed calls.</h2>
 * {@link #scope} opens a scope whose forks have types of their own and share one deadline:
 * <pre>{@code
 * try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE, options)) {
 *   FanoutScope.Handle<User> user = scope.fork("profile", ctx -> client.users().withContext(ctx).getAsync(7));
 *   FanoutScope.Handle<EmbeddingResponse> question =
 *       scope.fork("embed", ctx -> client.embeddings().withContext(ctx).createAsync(request));
 *   scope.join();
 *   ...
 * }
 * }</pre>
 *
 * <h2>A combinator over a list.</h2>
 * Each combinator has one form: the inputs, a {@link Task} that starts the work for one input with its
 * {@link FanoutContext} and returns its future, and {@link FanoutOptions} (a bound on the tasks in flight at
 * once, a deadline; {@link FanoutOptions#defaults()} for none):
 * <pre>{@code
 * Fanout.all(ids, (id, ctx) -> client.users().withContext(ctx).getAsync(id), FanoutOptions.defaults());
 * }</pre>
 * Every input is accounted for exactly once: in the result, or (for inputs the fan-out did not need) in
 * the {@link FanoutReport} as cancelled. Calls made through the context are bound to the fan-out from any
 * thread (see {@link FanoutContext} for what is bound and what escapes); calls made without it are bound
 * only when made on the thread that runs the task, through {@link FanoutContext#current()}.
 *
 * <h2>The task must not block.</h2>
 * It is called on the caller's thread for the first tasks and on the thread that completed an earlier task
 * for the rest (with a bound): it should start its work and return a future at once.
 *
 * <h2>Deadlines are shared.</h2>
 * Calls started through a task's context are charged against the fan-out's deadline, retries included,
 * and a fan-out or scope started inside a task (an agent calling its tools) keeps the earlier of its own
 * and the outer deadline and is cancelled with the outer input. The deadline timer runs on
 * {@link FanoutOptions#clock()}, else the outer context's clock, else {@link FanoutClock#system()}.
 *
 * <h2>Cancelling reaches the socket.</h2>
 * Cancelling the returned {@link FanoutFuture}, completing it from outside, or the fan-out deciding its
 * result early cancels each task's future and every Fanout call made through the task's context, even
 * if the task returned a derived future; a later call through that context fails at once with
 * {@link FanoutCancelledException}. Once the cancel has returned, no request of the fan-out is written: a
 * call still waiting for a {@code maxInFlight} slot when the calls ahead of it are cancelled is refused
 * before it is sent.
 */
public final class Fanout {
  private Fanout() {}

  /**
   * A task that receives its input's {@link FanoutContext}, for calls bound to the fan-out from any
   * thread: {@code (id, context) -> client.users().withContext(context).getAsync(id)}.
   */
  @FunctionalInterface
  public interface Task<I, T> {
    /** Starts the work for {@code input} and returns its pending result; must not block. */
    CompletionStage<T> start(I input, FanoutContext context);
  }

  /**
   * Opens a {@link FanoutScope} for one request's mixed calls: forks of any type under one deadline, joined
   * by {@code policy}. Its deadline, bound ({@link FanoutOptions#maxConcurrency()} on forks in flight),
   * clock and enclosing context come from {@code options}; its labeler is not used (forks are named when
   * made). The deadline starts now.
   */
  public static FanoutScope scope(FanoutScope.Policy policy, FanoutOptions options) {
    return FanoutScope.open(policy, options);
  }

  /**
   * Returns the cause under any {@link java.util.concurrent.CompletionException} or
   * {@link java.util.concurrent.ExecutionException} wrappers: the failure a future's {@code join},
   * {@code get} or {@code whenComplete} reports, as the SDK (or a task) raised it.
   */
  public static Throwable unwrap(Throwable error) {
    return Futures.unwrap(error);
  }

  /**
   * Runs the tasks one after another, each starting when the previous one has succeeded: the baseline
   * that concurrency is measured against. The deadline and labels come from {@code options}; its bound is
   * ignored.
   *
   * <p>Result order: input order. Failure: the first failure fails the result; later inputs are never
   * started. Cancel: cancels the running task; no further task starts.
   */
  public static <I, T> FanoutFuture<List<T>> sequential(
      List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    Objects.requireNonNull(options, "options == null");
    FanoutOptions oneAtATime = options.newBuilder().maxConcurrency(1).build();
    return new FanoutRun<I, T, List<T>>("sequential", inputs, task, oneAtATime,
        Ledger.Mode.ALL, 0, null, Ledger::valuesInInputOrder).start();
  }

  /**
   * Runs every task concurrently, bounded and with a deadline as {@code options} say, and succeeds with all
   * their values.
   *
   * <p>Result order: input order. Failure: the first failure fails the result at once and cancels every
   * other task; a passed deadline fails it with {@link dev.fanout.errors.FanoutTimeoutException}. Cancel:
   * cancels every task in flight.
   */
  public static <I, T> FanoutFuture<List<T>> all(
      List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    return new FanoutRun<I, T, List<T>>("all", inputs, task, options,
        Ledger.Mode.ALL, 0, null, Ledger::valuesInInputOrder).start();
  }

  /**
   * Runs every task concurrently, bounded and with a deadline as {@code options} say, and never fails: one
   * {@link Outcome} per input.
   *
   * <p>Result order: input order, one outcome per input. Failure: a failed task is an
   * {@link Outcome.Failure} in its place. When the deadline passes, the result holds what has finished and
   * a {@link dev.fanout.errors.FanoutTimeoutException} failure for every other input, which is cancelled.
   * Cancel: cancels every task in flight.
   */
  public static <I, T> FanoutFuture<List<Outcome<T>>> settleAll(
      List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    return new FanoutRun<I, T, List<Outcome<T>>>("settleAll", inputs, task, options,
        Ledger.Mode.SETTLE, 0, null, Ledger::outcomesInInputOrder).start();
  }

  /**
   * Runs every task concurrently, bounded and with a deadline as {@code options} say, and hands each
   * outcome to {@code onOutcome} as it arrives.
   *
   * <p>Order: completion order, one call per input ({@link Outcome#index()} says which). Failure: a failed
   * task is delivered as an {@link Outcome.Failure}; when the deadline passes, the unfinished inputs are
   * cancelled and delivered as {@link dev.fanout.errors.FanoutTimeoutException} failures.
   * Cancel: cancels every task in flight; once {@code cancel} returns, {@code onOutcome} is not called again.
   * {@code onOutcome} runs on the thread that completed the task, one call at a time: keep it short and
   * non-blocking. If it throws, the fan-out fails with what it threw, cancels every task still in flight and
   * calls {@code onOutcome} no more.
   *
   * @return a future of all outcomes in input order, complete when every input is settled.
   */
  public static <I, T> FanoutFuture<List<Outcome<T>>> asCompleted(
      List<? extends I> inputs,
      Task<? super I, T> task,
      FanoutOptions options,
      Consumer<? super Outcome<T>> onOutcome) {
    Objects.requireNonNull(onOutcome, "onOutcome == null");
    return new FanoutRun<I, T, List<Outcome<T>>>("asCompleted", inputs, task, options,
        Ledger.Mode.SETTLE, 0, onOutcome::accept, Ledger::outcomesInInputOrder).start();
  }

  /**
   * Runs every task concurrently, bounded and with a deadline as {@code options} say, and returns a stream
   * of their outcomes in completion order. The stream blocks for the next outcome; it has exactly one
   * element per input. When the deadline passes, the unfinished inputs are cancelled and appear in the
   * stream as timed-out failures.
   *
   * <h4>The stream must be closed.</h4>
   * Closing it (try-with-resources) before the end cancels every task still in flight. An interrupt while
   * waiting cancels the fan-out and throws {@link FanoutCancelledException}.
   */
  public static <I, T> Stream<Outcome<T>> asCompletedStream(
      List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    Object cancelled = new Object();
    FanoutFuture<List<Outcome<T>>> future = asCompleted(inputs, task, options, queue::add);
    future.whenComplete((value, error) -> {
      if (future.isCancelled()) {
        queue.add(cancelled);
      }
    });
    int size = inputs.size();
    Iterator<Outcome<T>> iterator = new Iterator<>() {
      private int delivered;

      @Override
      public boolean hasNext() {
        return delivered < size;
      }

      @Override
      @SuppressWarnings("unchecked")
      public Outcome<T> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Object next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          future.cancel(true);
          Thread.currentThread().interrupt();
          throw new FanoutCancelledException("interrupted while waiting for a fan-out", e);
        }
        if (next == cancelled) {
          queue.add(cancelled);
          throw new FanoutCancelledException("fan-out was cancelled");
        }
        delivered++;
        return (Outcome<T>) next;
      }
    };
    return StreamSupport.stream(
            Spliterators.spliterator(iterator, size, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(() -> future.cancel(true));
  }

  /**
   * Runs the tasks concurrently, bounded and with a deadline as {@code options} say, and succeeds with the
   * first value to arrive, cancelling the others. <b>For idempotent requests only</b>: the losers may
   * already have had their effect on the server.
   *
   * <p>Result: the first success. Failure: fails only when every input has failed (or the deadline
   * passed), with a {@link dev.fanout.errors.FanoutException} carrying the failures as suppressed
   * exceptions. Cancel: cancels every task in flight.
   */
  public static <I, T> FanoutFuture<T> firstSuccess(
      List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    Objects.requireNonNull(inputs, "inputs == null");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("firstSuccess needs at least one input");
    }
    return new FanoutRun<I, T, T>("firstSuccess", inputs, task, options,
        Ledger.Mode.FIRST_SUCCESS, 1, null, Ledger::firstSuccess).start();
  }

  /**
   * Runs the tasks concurrently, bounded and with a deadline as {@code options} say, and succeeds as soon
   * as {@code k} of them have, cancelling the rest (a quorum, or "the first k answers").
   *
   * <p>Result: a {@link FirstK} of the first {@code k} values, in completion order. At the deadline, if at
   * least one task has succeeded, it succeeds with the values it has, {@linkplain FirstK#isPartial() marked
   * partial} (and says how many were asked), and cancels the rest, instead of discarding them. Failure:
   * fails as soon as fewer than {@code k} can still succeed, with the failures as suppressed exceptions,
   * or with {@link dev.fanout.errors.FanoutTimeoutException} when the deadline passes before any success.
   * Cancel: cancels every task in flight.
   */
  public static <I, T> FanoutFuture<FirstK<T>> firstK(
      int k, List<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    Objects.requireNonNull(inputs, "inputs == null");
    if (k < 1 || k > inputs.size()) {
      throw new IllegalArgumentException("k out of range [1.." + inputs.size() + "]: " + k);
    }
    return new FanoutRun<I, T, FirstK<T>>("firstK", inputs, task, options,
        Ledger.Mode.FIRST_K, k, null, Ledger::firstK).start();
  }

  /**
   * Returns a stream over {@code inputs}, which need not fit in memory: inputs are pulled as capacity frees
   * and each result is handed to a consumer as it completes ({@link FanoutStream#forEach}). Order:
   * completion order. Failure: a failed task is a failed {@link FanoutStream.Completion}; the stream goes on.
   * Cancel: {@link FanoutStream#cancel()} stops the pulling and cancels every task in flight. For a
   * {@link Stream} or a {@link java.util.concurrent.Flow.Publisher} source, a buffer size or a progress
   * listener, use {@link FanoutStream#builder}.
   */
  public static <I, T> FanoutStream<I, T> stream(
      Iterator<? extends I> inputs, Task<? super I, T> task, FanoutOptions options) {
    return FanoutStream.<I, T>builder(inputs, task).options(options).build();
  }
}
