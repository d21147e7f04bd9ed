package dev.fanout.jobs.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link Pump} on a semaphore: at most {@code concurrency} tasks in flight; the caller's thread reads and
 * starts, the tasks' completions hand results on and free a slot.
 */
public final class BoundedPump<I, T> implements Pump<I, T> {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final int concurrency;
  private final Semaphore slots;
  private final Set<CompletableFuture<T>> inFlight = ConcurrentHashMap.newKeySet();
  private final Object drained = new Object();
  private volatile boolean stopping;
  private volatile long stopDeadlineNanos;

  public BoundedPump(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    }
    this.concurrency = concurrency;
    this.slots = new Semaphore(concurrency);
  }

  @Override
  public void run(Iterator<? extends I> inputs, Consumer<I> beforeStart,
      Function<? super I, CompletableFuture<T>> start, BiConsumer<I, T> onResult) throws InterruptedException {
    RuntimeException readFailure = null;
    try {
      while (!stopping) {
        if (!slots.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
          continue;
        }
        I input;
        try {
          if (stopping || !inputs.hasNext()) {
            slots.release();
            break;
          }
          input = inputs.next();
          beforeStart.accept(input);
        } catch (RuntimeException e) {
          slots.release();
          readFailure = e;
          break;
        }
        if (stopping) {
          slots.release();
          break;
        }
        CompletableFuture<T> future = start.apply(input);
        inFlight.add(future);
        future.whenComplete((result, error) -> {
          try {
            if (!future.isCancelled() && error == null) {
              onResult.accept(input, result);
            }
          } finally {
            inFlight.remove(future);
            slots.release();
            synchronized (drained) {
              drained.notifyAll();
            }
          }
        });
      }
    } finally {
      drain();
    }
    if (readFailure != null) {
      throw readFailure;
    }
  }

  private void drain() throws InterruptedException {
    synchronized (drained) {
      while (slots.availablePermits() < concurrency) {
        if (stopping && System.nanoTime() - stopDeadlineNanos >= 0) {
          for (CompletableFuture<T> f : inFlight) {
            f.cancel(true);
          }
        }
        drained.wait(50);
      }
    }
  }

  @Override
  public void stop(Duration grace) {
    if (!stopping) {
      stopDeadlineNanos = System.nanoTime() + grace.toNanos();
      stopping = true;
    }
  }

  @Override
  public boolean stopped() {
    return stopping;
  }

  @Override
  public int inFlight() {
    return inFlight.size();
  }
}
