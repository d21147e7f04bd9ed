package dev.fanout;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A fan-out over inputs that need not fit in memory: it pulls inputs from an {@link Iterator}, a
 * {@link Stream} or a {@link Flow.Publisher} only as capacity frees, runs one task per input, and hands
 * each result to a consumer as it completes. Memory is bounded by the concurrency plus the buffer, whatever
 * the number of inputs; the {@link StreamReport} keeps counts, latency percentiles and the slowest calls,
 * never one entry per input.
 * <pre>{@code
 * try (Stream<String> lines = Files.lines(path)) {
 *   StreamReport report = FanoutStream.builder(lines, (line, context) ->
 *           client.users().withContext(context).getAsync(Long.parseLong(line)))
 *       .options(FanoutOptions.builder().maxConcurrency(256).build())
 *       .build()
 *       .forEach(c -> out.println(c.index() + "\t" + (c.isSuccess() ? c.value().name() : c.error())));
 * }
 * }</pre>
 *
 * <h2>Pulling follows capacity.</h2>
 * A thread of the stream's pulls the next input when fewer than {@link FanoutOptions#maxConcurrency()}
 * tasks are in flight and fewer than that plus {@link Builder#bufferSize(int)} inputs have been pulled and
 * not yet returned from the consumer. A slow consumer therefore slows the pulling; the client's own limits
 * (its {@code maxInFlight}, its governor) slow it through the tasks' futures. The source is read from that
 * one thread, so it needs no locking of its own and may block.
 *
 * <h2>Order, failure, cancel.</h2>
 * Order: completion order, one {@link Completion} per input, numbered by {@link Completion#index()} in pull
 * order. Failure: a failed task is a completion whose outcome is an {@link Outcome.Failure}; the stream goes
 * on. Cancel: {@link #cancel()} stops the pulling, cancels every task in flight down to its HTTP calls, and
 * drops the completions not yet delivered; once it returns the consumer is not called again (a call in
 * progress finishes).
 *
 * <h2>The consumer may block.</h2>
 * It runs on the thread that called {@link #forEach(Consumer)}, or on one thread of the stream's for
 * {@link #start(Consumer)}; never on an HTTP client thread, and one completion at a time.
 * <b>If it throws,</b> the stream stops as for a cancel (the inputs in flight are cancelled and counted
 * as cancelled, the buffered ones are counted but not delivered), {@code forEach} rethrows what it threw,
 * and {@code start}'s future fails with it.
 *
 * <h2>The deadline delivers what was in flight.</h2>
 * When {@link FanoutOptions#timeout()} or {@link FanoutOptions#deadline()} (or an outer context's deadline)
 * passes, pulling stops, the tasks in flight are cancelled and delivered to the consumer as
 * {@link dev.fanout.errors.FanoutTimeoutException} failures, and the stream ends with
 * {@link StreamReport.End#DEADLINE}: {@code forEach} returns the report.
 *
 * <h2>A failing source.</h2>
 * If the source throws (or returns null, or a publisher signals an error), pulling stops, the tasks in
 * flight finish and are delivered, then {@code forEach} throws what the source threw (a publisher's checked
 * error wrapped in {@link java.util.concurrent.CompletionException}) and {@code start}'s future fails with
 * it; the report ({@link #report()}) says {@link StreamReport.End#SOURCE_FAILED}.
 *
 * <h2>Every input is accounted for once.</h2>
 * Each input pulled is counted exactly once in the report, as succeeded, failed, timed out or cancelled,
 * however the stream ends. The stream does not close a {@link Stream} it was given: close it yourself; it
 * cancels a publisher's subscription when it ends.
 *
 * <p>A stream runs once. Its tasks get a {@link FanoutContext} as in every fan-out: calls made through it
 * are charged against the deadline and cancelled with the stream.
 */
public final class FanoutStream<I, T> {
  /**
   * The stream's bound on tasks in flight when {@link FanoutOptions#maxConcurrency()} is left unbounded: a
   * stream must have one.
   */
  public static final int DEFAULT_MAX_CONCURRENCY = 64;
  /** Completions that may wait for the consumer beyond those in flight. */
  public static final int DEFAULT_BUFFER_SIZE = 64;
  /** How many of the slowest calls the report keeps. */
  public static final int DEFAULT_SLOWEST_KEPT = 10;
  /** Deliveries between two calls of the progress listener. */
  public static final long DEFAULT_PROGRESS_EVERY = 1_000;

  /**
   * The result of one input: its pull index (0-based, in pull order), the input, and its outcome.
   * {@link Outcome#index()} is the same number while it fits in an {@code int}; use {@link #index()}.
   */
  public record Completion<I, T>(long index, I input, Outcome<T> outcome) {
    public boolean isSuccess() {
      return outcome.isSuccess();
    }

    /** Returns the value; throws {@link java.util.NoSuchElementException} if the input failed. */
    public T value() {
      return outcome.value();
    }

    /** Returns the failure, or null on success. */
    public Throwable error() {
      return outcome.error();
    }
  }

  private final StreamRun<I, T> run;
  private final StreamHandOff<I, T> handOff;

  private FanoutStream(Builder<I, T> builder) {
    this.run = new StreamRun<>(builder);
    this.handOff = new StreamHandOff<>(run, builder);
  }

  /** Returns a builder of a stream over {@code inputs}, read from one thread of the stream's. */
  public static <I, T> Builder<I, T> builder(Iterator<? extends I> inputs, Fanout.Task<? super I, T> task) {
    Objects.requireNonNull(inputs, "inputs == null");
    return new Builder<>(inputs, null, OptionalLong.empty(), task);
  }

  /**
   * Returns a builder of a stream over {@code inputs}; the size hint is the stream's exact size when it
   * knows it. The stream is not closed by the fan-out.
   */
  public static <I, T> Builder<I, T> builder(Stream<? extends I> inputs, Fanout.Task<? super I, T> task) {
    Objects.requireNonNull(inputs, "inputs == null");
    Spliterator<? extends I> spliterator = inputs.spliterator();
    long size = spliterator.getExactSizeIfKnown();
    return new Builder<>(Spliterators.iterator(spliterator), null,
        size >= 0 ? OptionalLong.of(size) : OptionalLong.empty(), task);
  }

  /**
   * Returns a builder of a stream over what {@code inputs} publishes. It subscribes when the stream starts,
   * requests as many items as the stream may pull at once, then one more per item pulled, and cancels the
   * subscription when the stream ends.
   */
  public static <I, T> Builder<I, T> builder(Flow.Publisher<? extends I> inputs, Fanout.Task<? super I, T> task) {
    Objects.requireNonNull(inputs, "inputs == null");
    return new Builder<>(null, inputs, OptionalLong.empty(), task);
  }

  /**
   * Runs the stream, handing each completion to {@code consumer} on this thread, and returns the report
   * when it ends: the source ran out and everything was delivered, the deadline passed, or it was
   * cancelled. Throws what the consumer or the source threw. An interrupt cancels the stream, restores the
   * interrupt flag and throws {@link dev.fanout.errors.FanoutCancelledException}.
   *
   * @throws IllegalStateException if the stream was already started
   */
  public StreamReport forEach(Consumer<? super Completion<I, T>> consumer) {
    Objects.requireNonNull(consumer, "consumer == null");
    return handOff.consumeHere(consumer);
  }

  /**
   * Starts the stream with {@code consumer} on a thread of the stream's; the future completes with the
   * report when it ends, or fails with what the consumer or the source threw. Cancelling the future (or
   * completing it from outside) cancels the stream.
   *
   * @throws IllegalStateException if the stream was already started
   */
  public CompletableFuture<StreamReport> start(Consumer<? super Completion<I, T>> consumer) {
    Objects.requireNonNull(consumer, "consumer == null");
    return handOff.consumeAsync(consumer);
  }

  /** Returns the counts so far; safe from any thread, cheap enough to poll. */
  public StreamProgress progress() {
    return run.progress();
  }

  /** Returns the final report once the stream has ended, a snapshot ({@link StreamReport.End#RUNNING}) before. */
  public StreamReport report() {
    return run.report();
  }

  /**
   * Stops the stream: no further input is pulled, every task in flight is cancelled down to its HTTP calls
   * (and counted as cancelled), completions not yet delivered are dropped, and once this returns the
   * consumer is not called again. The stream then ends with {@link StreamReport.End#CANCELLED}. Does
   * nothing if it has already ended. Does not wait for a consumer call in progress, so it may be called
   * from the consumer.
   */
  public void cancel() {
    run.stop(StreamReport.End.CANCELLED, null, "the stream was cancelled");
  }

  /**
   * Stops pulling, gracefully: no further input is taken from the source, the tasks in flight finish and
   * are delivered as usual, then the stream ends with {@link StreamReport.End#DRAINED} (the deadline and
   * {@link #cancel()} still apply: cancel after a grace period to stop what has not finished). A source
   * blocked in {@code next()} is interrupted; an input it still returns is counted as cancelled, never
   * started. Does nothing once pulling has stopped for any reason.
   */
  public void drain() {
    run.drain();
  }

  /** Returns the bound on tasks in flight this stream runs with. */
  public int maxConcurrency() {
    return run.concurrency();
  }

  /** Configures a {@link FanoutStream}; {@link #build()} makes it. */
  public static final class Builder<I, T> {
    final Iterator<? extends I> iterator;
    final Flow.Publisher<? extends I> publisher;
    final Fanout.Task<? super I, T> task;
    FanoutOptions options = FanoutOptions.defaults();
    int bufferSize = DEFAULT_BUFFER_SIZE;
    OptionalLong sizeHint;
    int slowestKept = DEFAULT_SLOWEST_KEPT;
    Consumer<? super StreamProgress> listener;
    long progressEvery = DEFAULT_PROGRESS_EVERY;
    Duration progressPeriod;

    private Builder(Iterator<? extends I> iterator, Flow.Publisher<? extends I> publisher, OptionalLong sizeHint,
        Fanout.Task<? super I, T> task) {
      this.task = Objects.requireNonNull(task, "task == null");
      this.iterator = iterator;
      this.publisher = publisher;
      this.sizeHint = sizeHint;
    }

    /**
     * Sets the bound on tasks in flight, the deadline, the clock, the enclosing context and the labeler.
     * An unbounded {@link FanoutOptions#maxConcurrency()} means {@link #DEFAULT_MAX_CONCURRENCY} here.
     * Defaults to {@link FanoutOptions#defaults()}.
     */
    public Builder<I, T> options(FanoutOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Sets how many completed inputs may wait for the consumer beyond the tasks in flight: at most
     * {@code maxConcurrency + bufferSize} inputs are pulled and not yet consumed. 0 means the pulling
     * waits for the consumer after each completion. Defaults to {@link #DEFAULT_BUFFER_SIZE}.
     */
    public Builder<I, T> bufferSize(int bufferSize) {
      if (bufferSize < 0) {
        throw new IllegalArgumentException("bufferSize < 0: " + bufferSize);
      }
      this.bufferSize = bufferSize;
      return this;
    }

    /**
     * Sets how many inputs the source holds, for {@link StreamProgress#eta()}. Defaults to unknown, or the
     * exact size of a sized {@link Stream}.
     */
    public Builder<I, T> sizeHint(long sizeHint) {
      if (sizeHint < 0) {
        throw new IllegalArgumentException("sizeHint < 0: " + sizeHint);
      }
      this.sizeHint = OptionalLong.of(sizeHint);
      return this;
    }

    /** Sets how many of the slowest calls the report keeps (0 for none). Defaults to {@link #DEFAULT_SLOWEST_KEPT}. */
    public Builder<I, T> slowestKept(int slowestKept) {
      if (slowestKept < 0 || slowestKept > 10_000) {
        throw new IllegalArgumentException("slowestKept out of range [0..10000]: " + slowestKept);
      }
      this.slowestKept = slowestKept;
      return this;
    }

    /**
     * Sets a listener called with the progress on the consumer's thread, between two deliveries (never at
     * the same time as the consumer): every {@link #progressEvery(long)} deliveries and every
     * {@link #progressPeriod(Duration)}. If it throws, the stream stops as when the consumer throws.
     * Defaults to none.
     */
    public Builder<I, T> onProgress(Consumer<? super StreamProgress> listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Sets how many deliveries pass between two calls of the progress listener (0 for none by count).
     * Defaults to {@link #DEFAULT_PROGRESS_EVERY}.
     */
    public Builder<I, T> progressEvery(long deliveries) {
      if (deliveries < 0) {
        throw new IllegalArgumentException("progressEvery < 0: " + deliveries);
      }
      this.progressEvery = deliveries;
      return this;
    }

    /**
     * Sets a period, on the stream's clock, at which the progress listener is also called, even while no
     * completion arrives. Defaults to none.
     */
    public Builder<I, T> progressPeriod(Duration period) {
      Objects.requireNonNull(period, "period == null");
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("progressPeriod <= 0: " + period);
      }
      this.progressPeriod = period;
      return this;
    }

    public FanoutStream<I, T> build() {
      return new FanoutStream<>(this);
    }
  }
}
