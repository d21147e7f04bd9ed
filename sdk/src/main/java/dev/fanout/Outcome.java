package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The result of one input of a fan-out: its value, or the failure that ended it. Never {@code null} for a
 * failure: a settled fan-out returns exactly one outcome per input, at the input's index.
 */
public sealed interface Outcome<T> permits Outcome.Success, Outcome.Failure {

  /** How an input or a call ended, as a type rather than a string. */
  enum Kind {
    /** It produced a value. */
    SUCCEEDED,
    /** It failed (the error type says how). */
    FAILED,
    /** It was cancelled, or never started because the result was decided first. */
    CANCELLED,
    /** A deadline or timeout passed first. */
    TIMED_OUT,
    /** Only in a snapshot {@link FanoutReport} of an unfinished fan-out: not settled yet. */
    RUNNING;

    /** Returns the kind of an ending with {@code error} (null for success). */
    public static Kind of(Throwable error) {
      if (error == null) {
        return SUCCEEDED;
      }
      if (error instanceof FanoutTimeoutException) {
        return TIMED_OUT;
      }
      if (error instanceof FanoutCancelledException || error instanceof java.util.concurrent.CancellationException) {
        return CANCELLED;
      }
      return FAILED;
    }
  }

  /** Returns how this input ended. */
  default Kind kind() {
    return Kind.of(error());
  }

  /** Returns the index of the input this is the outcome of. */
  int index();

  /** Returns true if the task produced a value. */
  boolean isSuccess();

  /** Returns the value; throws {@link NoSuchElementException} (with the failure as cause) if it failed. */
  T value();

  /** Returns the failure, or {@code null} on success. */
  Throwable error();

  /** Returns true if the input was still unfinished when the fan-out's deadline passed. */
  default boolean isTimedOut() {
    return error() instanceof FanoutTimeoutException;
  }

  /** Returns true if the fan-out cancelled the input (or never started it) because its result was decided. */
  default boolean isCancelled() {
    return error() instanceof FanoutCancelledException;
  }

  static <T> Outcome<T> success(int index, T value) {
    return new Success<>(index, value);
  }

  static <T> Outcome<T> failure(int index, Throwable error) {
    return new Failure<>(index, error);
  }

  /** A task that produced a value (which may be {@code null} if the task returned one). */
  record Success<T>(int index, T value) implements Outcome<T> {
    @Override
    public boolean isSuccess() {
      return true;
    }

    @Override
    public Throwable error() {
      return null;
    }
  }

  /** A task that failed, timed out or was cancelled. */
  record Failure<T>(int index, Throwable error) implements Outcome<T> {
    public Failure {
      Objects.requireNonNull(error, "error == null");
    }

    @Override
    public boolean isSuccess() {
      return false;
    }

    @Override
    public T value() {
      throw new NoSuchElementException("input " + index + " failed: " + error, error);
    }
  }
}
