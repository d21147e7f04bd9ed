package dev.fanout.flink;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

/** A {@link ResultFuture} that records how it was completed, and how often, in place of Flink's operator. */
final class RecordingResultFuture<T> implements ResultFuture<T> {
  final CompletableFuture<Collection<T>> result = new CompletableFuture<>();
  final AtomicInteger completions = new AtomicInteger();

  @Override
  public void complete(Collection<T> results) {
    completions.incrementAndGet();
    result.complete(results);
  }

  @Override
  public void completeExceptionally(Throwable error) {
    completions.incrementAndGet();
    result.completeExceptionally(error);
  }

  @Override
  public void complete(CollectionSupplier<T> supplier) {
    try {
      complete(supplier.get());
    } catch (Exception e) {
      completeExceptionally(e);
    }
  }
}
