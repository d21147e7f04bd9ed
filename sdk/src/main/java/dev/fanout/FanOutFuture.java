package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The pending result of a fan-out, and its {@link FanoutReport}.
 *
 * <p>Cancelling it cancels every task still in flight (down to their HTTP calls) and starts no more; once
 * {@code cancel} returns, no task of the fan-out is started and no per-input callback of it runs.
 */
public final class FanOutFuture<R> extends CompletableFuture<R> {
  private final Runnable onCancel;
  private final Supplier<FanoutReport> report;

  FanOutFuture(Runnable onCancel, Supplier<FanoutReport> report) {
    this.onCancel = onCancel;
    this.report = report;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    onCancel.run();
    return cancelled;
  }

  /**
   * Returns the fan-out's report: final once this future is done, a snapshot of the progress so far
   * before that.
   */
  public FanoutReport report() {
    return report.get();
  }

  /**
   * Waits for the result and returns it, throwing the fan-out's own failure unwrapped (a
   * {@link FanoutException}, or whatever a task threw) rather than an {@link ExecutionException}.
   * An interrupt cancels the fan-out, restores the thread's interrupt flag and throws
   * {@link FanoutCancelledException}.
   */
  public R await() {
    try {
      return get();
    } catch (InterruptedException e) {
      cancel(true);
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while waiting for a fan-out", e);
    } catch (CancellationException e) {
      throw new FanoutCancelledException("fan-out was cancelled", e);
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    }
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  static RuntimeException rethrowable(Throwable cause) {
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new FanoutException(String.valueOf(cause), cause);
  }
}
