package dev.fanout;

import dev.fanout.internal.CallScope;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The context of one fan-out input: the deadline its calls share, its cancellation, where the traces of
 * its calls go and the registry of the calls started through it. An immutable value, handed to a
 * {@link Fanout.Task} and safe to pass to any thread.
 *
 * <h2>What is bound.</h2>
 * A call made through a context, {@code client.users().withContext(context).getAsync(7)} (or
 * {@link CallOptions.Builder#context}), from any thread, is charged against its {@link #deadline()},
 * traced to its fan-out's {@link FanoutReport}, and registered so that cancelling the fan-out (or the
 * fan-out deciding its result without this input) cancels the call. A call made through a context that
 * is already cancelled fails at once with {@link dev.fanout.errors.FanoutCancelledException}. A fan-out
 * started inside a task with this context ({@link FanoutOptions.Builder#context}, or as the
 * {@link #current()} context) inherits it: it keeps the earlier deadline and is cancelled with it.
 *
 * <h2>What escapes.</h2>
 * Work started without the context is not bound: a call made on another thread without
 * {@code withContext(..)} (a {@code supplyAsync(.., executor)} or {@code thenComposeAsync} stage that
 * does not run on a {@link #wrap(Executor) wrapped} executor) has no deadline but the client's and is
 * not cancelled with the fan-out. Pass the context explicitly, or wrap the executor.
 *
 * <h2>The current context is a convenience.</h2>
 * While the SDK runs a task (and while a call of the task completes, so {@code thenCompose} chains keep
 * it), the task's context is also {@link #current()} on that thread, and calls made without
 * {@code withContext} use it. The explicit path is the documented one: it works on every thread.
 */
public final class FanoutContext {
  private static final FanoutContext NONE = new FanoutContext(null);
  /** The context the SDK runs a task (or a wrapped runnable) in on this thread; unset outside. */
  private static final ThreadLocal<FanoutContext> CURRENT = new ThreadLocal<>();

  private final CallScope scope;

  FanoutContext(CallScope scope) {
    this.scope = scope;
  }

  /** Returns the empty context: no deadline, never cancelled, traces go nowhere but the client's listener. */
  public static FanoutContext none() {
    return NONE;
  }

  /**
   * Returns the context installed on this thread by the SDK (inside a task, or a {@link #wrap wrapped}
   * runnable), or {@link #none()}.
   */
  public static FanoutContext current() {
    FanoutContext current = CURRENT.get();
    return current == null ? NONE : current;
  }

  /**
   * Returns a context whose calls share the earlier of this context's deadline and {@code deadline}, and
   * that is cancelled with this one; traces go where this context's go. The way to give calls made outside
   * a fan-out one deadline:
   * <pre>{@code
   * FanoutContext context = FanoutContext.none().withDeadline(Deadline.after(Duration.ofSeconds(2)));
   * client.users().withContext(context).getAsync(7);  // retries included, done within the 2 s
   * }</pre>
   * The deadline's timers run on the deadline's clock (or, if this context's deadline is earlier, on
   * that one's).
   */
  public FanoutContext withDeadline(Deadline deadline) {
    Objects.requireNonNull(deadline, "deadline == null");
    Deadline earlier = deadline().min(deadline);
    FanoutClock clock = scope != null && earlier == scope.deadline() ? scope.clock() : earlier.clock();
    return new FanoutContext(new CallScope(scope, earlier, clock, null));
  }

  /** Returns the deadline the context's calls share, {@link Deadline#none()} if there is none. */
  public Deadline deadline() {
    return scope == null ? Deadline.none() : scope.deadline();
  }

  /** Returns true once the fan-out was cancelled or decided without this input (or an outer one was). */
  public boolean isCancelled() {
    return scope != null && scope.isCancelled();
  }

  /** Returns true for {@link #none()}. */
  public boolean isNone() {
    return scope == null;
  }

  /** Returns {@code runnable} wrapped to run with this context as the {@link #current()} one. */
  public Runnable wrap(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable == null");
    return () -> runIn(() -> {
      runnable.run();
      return null;
    });
  }

  /** Returns {@code callable} wrapped to run with this context as the {@link #current()} one. */
  public <V> Callable<V> wrap(Callable<V> callable) {
    Objects.requireNonNull(callable, "callable == null");
    return () -> {
      Object[] result = new Object[1];
      Exception[] failure = new Exception[1];
      runIn(() -> {
        try {
          result[0] = callable.call();
        } catch (Exception e) {
          failure[0] = e;
        }
        return null;
      });
      if (failure[0] != null) {
        throw failure[0];
      }
      @SuppressWarnings("unchecked")
      V value = (V) result[0];
      return value;
    };
  }

  /**
   * Returns an executor that runs every task on {@code executor} with this context as the
   * {@link #current()} one, so calls made there without {@code withContext} are still bound.
   */
  public Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor == null");
    return command -> executor.execute(wrap(command));
  }

  /** Returns the scope, null for {@link #none()}: for the fan-outs, and handed to the client's engine. */
  CallScope scope() {
    return scope;
  }

  /** Runs {@code body} with this context as this thread's current one, restoring the previous one. */
  <V> V runIn(Supplier<V> body) {
    FanoutContext previous = CURRENT.get();
    CURRENT.set(this);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  @Override
  public String toString() {
    return scope == null
        ? "FanoutContext.none()"
        : "FanoutContext{" + scope.deadline() + (scope.isCancelled() ? ", cancelled" : "") + '}';
  }
}
