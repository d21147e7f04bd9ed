package dev.fanout.internal;

import dev.fanout.errors.FanoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place that unwraps {@link CompletionException} and {@link ExecutionException}. */
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
}
