package dev.fanout.jobs.internal;

import dev.fanout.FanoutOptions;
import dev.fanout.FanoutStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link Pump} on the SDK's {@link FanoutStream}: it pulls as capacity frees and hands each completion to
 * the consumer on the calling thread, one at a time. A stop ends the source (the stream then drains what is
 * in flight, as at the end of the input), and cancels the stream once the grace period has passed.
 */
public final class StreamPump<I, T> implements Pump<I, T> {
  private final int concurrency;
  private final Object lock = new Object();
  private volatile boolean stopping;
  private FanoutStream<I, T> stream;
  private ScheduledExecutorService timer;
  private boolean ended;

  public StreamPump(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    }
    this.concurrency = concurrency;
  }

  @Override
  public void run(Iterator<? extends I> inputs, Consumer<I> beforeStart,
      Function<? super I, CompletableFuture<T>> start, BiConsumer<I, T> onResult) throws InterruptedException {
    Iterator<I> gated = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return !stopping && inputs.hasNext();
      }

      @Override
      public I next() {
        // Not hasNext(): a stop that lands between the stream's hasNext() and this call ends the reading at the
        // next hasNext(); the input already promised is still taken.
        I input = inputs.next();
        beforeStart.accept(input);
        return input;
      }
    };
    FanoutStream<I, T> s = FanoutStream.<I, T>builder(gated, (input, context) -> start.apply(input))
        .options(FanoutOptions.builder().maxConcurrency(concurrency).build())
        .slowestKept(0)
        .build();
    synchronized (lock) {
      stream = s;
    }
    try {
      s.forEach(c -> {
        if (c.isSuccess()) {
          onResult.accept(c.input(), c.value());
        }
      });
    } finally {
      synchronized (lock) {
        ended = true;
        if (timer != null) {
          timer.shutdownNow();
        }
      }
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while the job ran");
    }
  }

  @Override
  public void stop(Duration grace) {
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      if (ended || stream == null) {
        return;
      }
      FanoutStream<I, T> s = stream;
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fanout-job-grace");
        t.setDaemon(true);
        return t;
      });
      timer.schedule(s::cancel, grace.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public boolean stopped() {
    return stopping;
  }

  @Override
  public int inFlight() {
    FanoutStream<I, T> s;
    synchronized (lock) {
      s = stream;
    }
    return s == null ? 0 : (int) s.progress().inFlight();
  }
}
