package dev.fanout.langchain4j.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Runs blocking work (a LangChain4j retriever, a tool) on an executor as a future whose cancellation
 * interrupts the thread running it, which {@code CompletableFuture.supplyAsync} does not do.
 */
public final class Blocking {
  private Blocking() {}

  /**
   * Returns a future of {@code work} run on {@code executor}. Cancelling the future before the work starts
   * keeps it from starting; cancelling it while the work runs interrupts that thread (the interrupt is
   * cleared again before the thread goes back to its pool).
   */
  public static <T> CompletableFuture<T> supply(Executor executor, Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Object lock = new Object();
    Thread[] runner = new Thread[1];
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        synchronized (lock) {
          if (runner[0] != null) {
            runner[0].interrupt();
          }
        }
      }
    });
    try {
      executor.execute(() -> {
        synchronized (lock) {
          if (result.isDone()) {
            return;
          }
          runner[0] = Thread.currentThread();
        }
        try {
          result.complete(work.get());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        } finally {
          synchronized (lock) {
            runner[0] = null;
            Thread.interrupted();
          }
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }
}
