package dev.fanout.flink;

import dev.fanout.Fanout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Chains are compositions of SDK call futures whose cancellation reaches every call in them, for a
 * {@link FanoutCall} that makes more than one call per element (a lookup, then a chat completion).
 *
 * <p>{@link CompletableFuture#thenCompose} and {@link CompletableFuture#thenApply} return futures whose
 * {@code cancel} completes only themselves: the calls they came from keep running. The futures returned here
 * cancel the calls too, so that a {@link FanoutAsyncFunction} timeout frees the sockets of a whole chain.
 *
 * <p>Result order: the second stage starts when the first has succeeded. Failure: a failure of either stage
 * fails the returned future with that failure (unwrapped from {@link CompletionException}). Cancel: cancels
 * the first stage, and the second if it has started.
 */
public final class Chains {
  private Chains() {}

  /** Returns a future of {@code next}'s future, started with {@code first}'s value. */
  public static <A, B> CompletableFuture<B> thenCompose(
      CompletableFuture<A> first, Function<? super A, ? extends CompletableFuture<B>> next) {
    if (first == null) {
      throw new IllegalArgumentException("first == null");
    }
    if (next == null) {
      throw new IllegalArgumentException("next == null");
    }
    CompletableFuture<B> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<B>> second = new AtomicReference<>();
    result.whenComplete((b, error) -> {
      if (result.isCancelled()) {
        first.cancel(true);
        CompletableFuture<B> s = second.get();
        if (s != null) {
          s.cancel(true);
        }
      }
    });
    first.whenComplete((a, error) -> {
      if (error != null) {
        result.completeExceptionally(Fanout.unwrap(error));
        return;
      }
      if (result.isDone()) {
        return;
      }
      CompletableFuture<B> s;
      try {
        s = next.apply(a);
        if (s == null) {
          throw new NullPointerException("next returned null instead of a future");
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      second.set(s);
      if (result.isCancelled()) {
        s.cancel(true);
        return;
      }
      s.whenComplete((b, e2) -> {
        if (e2 != null) {
          result.completeExceptionally(Fanout.unwrap(e2));
        } else {
          result.complete(b);
        }
      });
    });
    return result;
  }

  /** Returns a future of {@code fn} applied to {@code first}'s value; cancelling it cancels {@code first}. */
  public static <A, B> CompletableFuture<B> thenApply(CompletableFuture<A> first, Function<? super A, ? extends B> fn) {
    if (fn == null) {
      throw new IllegalArgumentException("fn == null");
    }
    return thenCompose(first, a -> CompletableFuture.completedFuture(fn.apply(a)));
  }
}
