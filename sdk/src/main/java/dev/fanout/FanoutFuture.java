package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.internal.Futures;
import dev.fanout.internal.OwnedFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The pending result of a fan-out, and its {@link FanoutReport}.
 *
 * <h2>Only the SDK completes it.</h2>
 * Cancelling it, and equally completing it from outside ({@code complete}, {@code completeExceptionally},
 * {@code obtrudeValue}, {@code obtrudeException}, or a timer set by {@code orTimeout} or
 * {@code completeOnTimeout}), stops the fan-out: every task still in flight is cancelled (down to its HTTP
 * calls), no further task starts, and once the method returns no per-input callback of it runs and no
 * request of it is written to the network (its calls still waiting for a slot are never sent). The future
 * keeps the value it was given; the report shows the stopped inputs as {@link Outcome.Kind#CANCELLED}.
 * Stages derived from it ({@code thenApply}, ...) are plain futures that give no control over it.
 * A call's future behaves the same way.
 */
public final class FanoutFuture<R> extends OwnedFuture<R> {
  private final Runnable onStop;
  private final Supplier<FanoutReport> report;

  FanoutFuture(Runnable onStop, Supplier<FanoutReport> report) {
    this.onStop = onStop;
    this.report = report;
  }

  /** Completes the fan-out's result on behalf of its run. */
  boolean succeed(R value) {
    return sdkComplete(value);
  }

  /** Fails the fan-out's result on behalf of its run. */
  boolean fail(Throwable error) {
    return sdkFail(error);
  }

  /** Stops the fan-out first, so whoever sees this future done also sees its report finished. */
  @Override
  protected boolean fromOutside(BooleanSupplier completion) {
    onStop.run();
    return completion.getAsBoolean();
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
   * {@link dev.fanout.errors.FanoutException}, or whatever a task threw) rather than an
   * {@link ExecutionException}. An interrupt cancels the fan-out, restores the thread's interrupt flag and
   * throws {@link FanoutCancelledException}.
   */
  public R await() {
    return Futures.await(this, "a fan-out");
  }
}
