package dev.fanout.jobs.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The pulling loop under a job: takes inputs as capacity frees, starts each, hands each result on as it
 * completes. Memory is bounded by the concurrency, never by the number of inputs.
 *
 * @param <I> the input type
 * @param <T> the result type
 */
public interface Pump<I, T> {
  /**
   * Runs until {@code inputs} is exhausted and every started task completed, or until {@link #stop(Duration)}:
   * then it reads no more, waits for the started tasks up to the grace period and cancels the rest (their
   * results are not handed on). An exception from {@code inputs} stops reading the same way (all started
   * tasks complete) and is rethrown. {@code onResult} runs once per completed, uncancelled task.
   *
   * @param beforeStart called on the loop's thread before each input starts; may block (a ceiling's wait)
   */
  void run(Iterator<? extends I> inputs, java.util.function.Consumer<I> beforeStart,
      Function<? super I, CompletableFuture<T>> start, BiConsumer<I, T> onResult) throws InterruptedException;

  /** Stops reading; the tasks in flight get {@code grace} to complete before they are cancelled. */
  void stop(Duration grace);

  /** Returns whether {@link #stop(Duration)} was called. */
  boolean stopped();

  /** Tasks started and not yet complete. */
  int inFlight();
}
