package dev.fanout.internal;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The one place that unwraps {@link CompletionException} and {@link ExecutionException}, and that blocks on
 * a future for a caller.
 */
public final class Futures {
  private Futures() {}

  /** Returns the cause under any {@link CompletionException}/{@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Returns {@link #unwrap}'s result as something to throw: itself if unchecked, a {@link FanoutException}
   * around it if checked; rethrows an {@link Error}.
   */
  public static RuntimeException rethrowable(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new FanoutException(String.valueOf(cause), cause);
  }

  /**
   * Waits for {@code future} and returns its value, throwing its failure unwrapped ({@link #rethrowable});
   * {@code what} names it in messages ({@code "agent triage"}). An interrupt cancels the future, restores the
   * thread's interrupt flag and throws {@link FanoutCancelledException}; so does a cancelled future.
   */
  public static <T> T await(Future<T> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while waiting for " + what, e);
    } catch (CancellationException e) {
      throw new FanoutCancelledException(what + " was cancelled", e);
    } catch (ExecutionException e) {
      throw rethrowable(e);
    }
  }
}
