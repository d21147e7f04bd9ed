package dev.fanout.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A {@link CompletableFuture} that only the SDK completes: the one rule shared by a call and a fan-out.
 *
 * <p>The SDK completes it with {@link #sdkComplete} and {@link #sdkFail}. When anyone else completes it
 * ({@code complete}, {@code completeExceptionally}, {@code cancel}, {@code obtrudeValue},
 * {@code obtrudeException}, and so {@code orTimeout} and {@code completeOnTimeout}, which call them), the
 * future takes that value, and the subclass stops the work underneath ({@link #fromOutside}): HTTP calls
 * are cancelled, pending backoffs and timers dropped, no further task starts. Derived stages
 * ({@code thenApply}, ...) are plain {@link CompletableFuture}s: completing or cancelling one does not
 * reach this future.
 */
public abstract class OwnedFuture<T> extends CompletableFuture<T> {
  protected OwnedFuture() {}

  /**
   * Runs a completion asked for from outside the SDK, stopping the work underneath around it (the
   * subclass decides the order) and returns what {@code completion} returned.
   */
  protected abstract boolean fromOutside(BooleanSupplier completion);

  /** Completes with {@code value} on the SDK's behalf; no work is stopped by it. */
  protected final boolean sdkComplete(T value) {
    return super.complete(value);
  }

  /** Fails with {@code error} on the SDK's behalf; no work is stopped by it. */
  protected final boolean sdkFail(Throwable error) {
    return super.completeExceptionally(error);
  }

  @Override
  public final boolean complete(T value) {
    return fromOutside(() -> super.complete(value));
  }

  @Override
  public final boolean completeExceptionally(Throwable ex) {
    Objects.requireNonNull(ex, "ex == null");
    return fromOutside(() -> super.completeExceptionally(ex));
  }

  @Override
  public final boolean cancel(boolean mayInterruptIfRunning) {
    return fromOutside(() -> super.cancel(mayInterruptIfRunning));
  }

  @Override
  public final void obtrudeValue(T value) {
    fromOutside(() -> {
      super.obtrudeValue(value);
      return true;
    });
  }

  @Override
  public final void obtrudeException(Throwable ex) {
    Objects.requireNonNull(ex, "ex == null");
    fromOutside(() -> {
      super.obtrudeException(ex);
      return true;
    });
  }

  /** Derived stages are plain futures: they give no control over this one. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
