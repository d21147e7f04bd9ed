package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.Contexts;
import dev.fanout.internal.Futures;
import dev.fanout.internal.LatencyHistogram;
import dev.fanout.internal.OwnedFuture;
import dev.fanout.internal.PublisherIterator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link FanoutStream}: a puller thread that takes inputs from the source while there is
 * capacity and starts their tasks, completions that settle into a bounded buffer (on whatever thread
 * completed the task, holding only this object's lock, running no user code), and a consumer loop (the
 * caller's thread or a thread of the stream's) that hands them to the consumer.
 *
 * <p>One lock guards the state; no user code (source, task, consumer, labeler) runs under it. An input is
 * settled once ({@link Slot#settled}), by its task's result, the deadline or a stop, and counted once, at
 * that moment. Memory: the slots in flight (at most the concurrency), the buffer (at most the concurrency
 * plus the buffer size, counting the slots), a fixed histogram and the slowest sample.
 */
final class StreamRun<I, T> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.fanout");
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final Iterator<? extends I> source;
  private final AutoCloseable closeSource;
  private final Fanout.Task<? super I, T> task;
  private final FanoutOptions options;
  private final int concurrency;
  private final int buffer;
  private final OptionalLong sizeHint;
  private final int slowestKept;
  private final Consumer<? super StreamProgress> listener;
  private final long progressEvery;
  private final Duration progressPeriod;

  private final ReentrantLock lock = new ReentrantLock();
  /** The puller waits here for capacity; signalled when an input settles or is delivered, and on stop. */
  private final Condition pullable = lock.newCondition();
  /** The consumer waits here for a completion, a progress tick or the end; and for the puller to exit. */
  private final Condition deliverable = lock.newCondition();
  private final StreamFuture result = new StreamFuture();

  // Guarded by lock.
  private boolean started;
  private final Map<Long, Slot<I, T>> running = new HashMap<>();
  private final ArrayDeque<FanoutStream.Completion<I, T>> ready = new ArrayDeque<>();
  private long pulled;
  private long succeeded;
  private long failed;
  private long timedOut;
  private long cancelled;
  private long delivered;
  private int peak;
  private boolean stopPulling;
  private boolean pullerExited;
  private boolean tickDue;
  private boolean deadlinePassed;
  /** Why pulling stopped early: DEADLINE or SOURCE_FAILED; null if the source ran out (or not yet). */
  private StreamReport.End pullStop;
  /** Why delivery stopped: CANCELLED or CONSUMER_FAILED; null if it did not. */
  private StreamReport.End deliveryStop;
  private Throwable sourceFailure;
  private Throwable consumerFailure;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final PriorityQueue<Slow<I>> slowest = new PriorityQueue<>(Comparator.comparingLong(Slow::nanos));
  private FanoutClock clock = FanoutClock.system();
  private long startNanos;
  private long endNanos = -1;
  private StreamReport finalReport;

  // Set once in begin(), read by the other threads after they see started.
  private volatile Deadline deadline = Deadline.none();
  private volatile CallScope root;
  private volatile Thread puller;
  private volatile boolean pullerInSource;
  private volatile FanoutClock.Timer deadlineTimer;
  private volatile FanoutClock.Timer tickTimer;

  StreamRun(FanoutStream.Builder<I, T> b) {
    this.task = b.task;
    this.options = b.options;
    this.concurrency = b.options.maxConcurrency() == FanoutOptions.DEFAULT_MAX_CONCURRENCY
        ? FanoutStream.DEFAULT_MAX_CONCURRENCY : b.options.maxConcurrency();
    this.buffer = b.bufferSize;
    if (b.publisher != null) {
      PublisherIterator<I> p = new PublisherIterator<>(b.publisher, (int) Math.min(1024, (long) concurrency + buffer));
      this.source = p;
      this.closeSource = p;
    } else {
      this.source = b.iterator;
      this.closeSource = null;
    }
    this.sizeHint = b.sizeHint;
    this.slowestKept = b.slowestKept;
    this.listener = b.listener;
    this.progressEvery = b.progressEvery;
    this.progressPeriod = b.progressPeriod;
  }

  int concurrency() {
    return concurrency;
  }

  int bufferSize() {
    return buffer;
  }

  // Starting.

  /** Resolves the context, clock and deadline, sets the timers and starts the puller. */
  private void begin() {
    FanoutContext outerContext = options.context() != null ? options.context() : FanoutContext.current();
    CallScope outer = outerContext.scope();
    FanoutClock c = options.clock() != null ? options.clock()
        : outer != null ? outer.clock()
        : options.deadline() != null ? options.deadline().clock()
        : FanoutClock.system();
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("stream " + id + " was already started: a stream runs once");
      }
      started = true;
      clock = c;
      startNanos = c.nanoTime();
    } finally {
      lock.unlock();
    }
    Deadline d = options.effectiveDeadline(outerContext.deadline(), c);
    deadline = d;
    root = new CallScope(outer, d, c, null);
    if (outer != null && !outer.register(result)) {
      stop(StreamReport.End.CANCELLED, null, "its context was cancelled (" + outer.cancelledBecause() + ")");
    }
    if (!d.isNone()) {
      deadlineTimer = d.clock().schedule(d.remaining(), this::onDeadline);
    }
    if (listener != null && progressPeriod != null) {
      tickTimer = c.schedule(progressPeriod, this::tick);
    }
    if (source instanceof PublisherIterator) {
      ((PublisherIterator<?>) source).subscribe(); // before start returns: nothing published after is missed
    }
    Thread t = new Thread(this::pullLoop, "fanout-stream-" + id + "-pull");
    t.setDaemon(true);
    puller = t;
    t.start();
  }

  // The puller.

  private boolean hasCapacity() {
    return running.size() < concurrency && pulled - delivered < (long) concurrency + buffer;
  }

  private void pullLoop() {
    try {
      while (true) {
        lock.lock();
        try {
          while (!stopPulling && !hasCapacity()) {
            pullable.awaitUninterruptibly();
          }
          if (stopPulling) {
            return;
          }
        } finally {
          lock.unlock();
        }
        I input;
        pullerInSource = true;
        try {
          if (!source.hasNext()) {
            sourceEnded(null);
            return;
          }
          input = source.next();
          if (input == null) {
            throw new NullPointerException("the source returned null after " + pulledSoFar() + " inputs");
          }
        } catch (RuntimeException | Error e) {
          sourceEnded(e);
          return;
        } finally {
          pullerInSource = false;
        }
        Slot<I, T> slot;
        lock.lock();
        try {
          long index = pulled++;
          if (stopPulling) {
            cancelled++; // pulled while the stream stopped: never started
            return;
          }
          slot = new Slot<>(index, input, clock.nanoTime());
          running.put(index, slot);
          peak = Math.max(peak, running.size());
        } finally {
          lock.unlock();
        }
        launch(slot);
      }
    } finally {
      Thread.interrupted(); // a stop may have interrupted the source; this thread ends here
      lock.lock();
      try {
        pullerExited = true;
        deliverable.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private long pulledSoFar() {
    lock.lock();
    try {
      return pulled;
    } finally {
      lock.unlock();
    }
  }

  private void sourceEnded(Throwable error) {
    lock.lock();
    try {
      if (stopPulling) {
        return; // stopped meanwhile: what the source did after that does not matter
      }
      stopPulling = true;
      if (error != null) {
        pullStop = StreamReport.End.SOURCE_FAILED;
        sourceFailure = error;
        LOG.debug("stream {}: the source failed after {} inputs: {}", id, pulled, error.toString());
      }
    } finally {
      lock.unlock();
    }
  }

  private void launch(Slot<I, T> slot) {
    CallScope scope = new CallScope(root, deadline, clock, null);
    boolean settled;
    lock.lock();
    try {
      settled = slot.settled;
      slot.scope = scope;
    } finally {
      lock.unlock();
    }
    if (settled) {
      scope.cancel("cancelled: the stream stopped before input " + slot.index + " started");
      return;
    }
    FanoutContext context = new FanoutContext(scope);
    CompletableFuture<T> future;
    try {
      CompletionStage<T> stage = Contexts.runIn(context, () -> task.start(slot.input, context));
      if (stage == null) {
        throw new NullPointerException("task returned null for input " + slot.index);
      }
      future = stage.toCompletableFuture();
    } catch (RuntimeException | Error e) {
      onDone(slot, null, e);
      return;
    }
    lock.lock();
    try {
      settled = slot.settled;
      slot.future = future;
    } finally {
      lock.unlock();
    }
    if (settled) {
      future.cancel(true);
      return;
    }
    future.whenComplete((value, error) -> onDone(slot, value, error));
  }

  // Settling.

  private void onDone(Slot<I, T> slot, T value, Throwable error) {
    int index = outcomeIndex(slot.index);
    Outcome<T> outcome;
    if (error == null) {
      outcome = Outcome.success(index, value);
    } else {
      Throwable cause = Futures.unwrap(error);
      if (cause instanceof CancellationException) {
        cause = new FanoutCancelledException("input " + slot.index + " was cancelled", cause);
      }
      outcome = Outcome.failure(index, cause);
    }
    lock.lock();
    try {
      if (slot.settled) {
        return; // settled by the deadline or a stop
      }
      FanoutStream.Completion<I, T> completion = settleLocked(slot, outcome, clock.nanoTime());
      if (deliveryStop == null) {
        ready.add(completion);
        deliverable.signal();
      }
      pullable.signal();
    } finally {
      lock.unlock();
    }
  }

  private static int outcomeIndex(long index) {
    return (int) Math.min(index, Integer.MAX_VALUE);
  }

  /** Settles {@code slot}: counts it once, records its latency if it finished by itself. */
  private FanoutStream.Completion<I, T> settleLocked(Slot<I, T> slot, Outcome<T> outcome, long now) {
    slot.settled = true;
    running.remove(slot.index);
    Outcome.Kind kind = outcome.kind();
    switch (kind) {
      case SUCCEEDED:
        succeeded++;
        break;
      case TIMED_OUT:
        timedOut++;
        break;
      case CANCELLED:
        cancelled++;
        break;
      default:
        failed++;
        break;
    }
    long latency = now - slot.startNanos;
    if (kind == Outcome.Kind.SUCCEEDED || kind == Outcome.Kind.FAILED) {
      latencies.record(latency);
      if (slowestKept > 0) {
        if (slowest.size() < slowestKept) {
          slowest.add(new Slow<>(slot.index, slot.input, latency, kind));
        } else if (latency > slowest.peek().nanos()) {
          slowest.poll();
          slowest.add(new Slow<>(slot.index, slot.input, latency, kind));
        }
      }
    }
    return new FanoutStream.Completion<>(slot.index, slot.input, outcome);
  }

  private void onDeadline() {
    List<Slot<I, T>> toCancel;
    lock.lock();
    try {
      if (finalReport != null || deliveryStop != null || deadlinePassed) {
        return;
      }
      deadlinePassed = true;
      stopPulling = true;
      if (pullStop == null) {
        pullStop = StreamReport.End.DEADLINE;
      }
      long now = clock.nanoTime();
      Duration elapsed = Duration.ofNanos(now - startNanos);
      toCancel = new ArrayList<>(running.values());
      toCancel.sort(Comparator.comparingLong(s -> s.index));
      FanoutTimeoutException timeout = new FanoutTimeoutException(String.format(
          "stream deadline passed after %d ms with %d input(s) in flight",
          elapsed.toMillis(), toCancel.size()), elapsed);
      for (Slot<I, T> slot : toCancel) {
        ready.add(settleLocked(slot, Outcome.failure(outcomeIndex(slot.index), timeout), now));
      }
      pullable.signalAll();
      deliverable.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.debug("stream {}: deadline passed, {} input(s) in flight timed out", id, toCancel.size());
    release(toCancel, "cancelled: the stream's deadline passed");
  }

  /**
   * Stops pulling and delivering: every input in flight is settled as cancelled and its calls cancelled,
   * the buffer is dropped. The first stop names the end; later ones do nothing.
   */
  void stop(StreamReport.End why, Throwable consumerError, String reason) {
    List<Slot<I, T>> toCancel;
    lock.lock();
    try {
      if (deliveryStop != null || finalReport != null) {
        return;
      }
      deliveryStop = why;
      consumerFailure = consumerError;
      stopPulling = true;
      ready.clear(); // counted when they settled; never delivered
      toCancel = new ArrayList<>(running.values());
      long now = clock.nanoTime();
      FanoutCancelledException cancel = new FanoutCancelledException("cancelled: " + reason);
      for (Slot<I, T> slot : toCancel) {
        settleLocked(slot, Outcome.failure(outcomeIndex(slot.index), cancel), now);
      }
      pullable.signalAll();
      deliverable.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.debug("stream {}: stopped ({}), {} input(s) in flight cancelled", id, reason, toCancel.size());
    release(toCancel, "cancelled: " + reason);
  }

  /** Cancels the calls of {@code slots} (and every call of the stream, through the root scope). */
  private void release(List<Slot<I, T>> slots, String reason) {
    CallScope r = root;
    if (r != null) {
      r.cancel(reason);
    }
    for (Slot<I, T> slot : slots) {
      CompletableFuture<?> f;
      CallScope s;
      lock.lock();
      try {
        f = slot.future;
        s = slot.scope;
      } finally {
        lock.unlock();
      }
      if (s != null) {
        s.cancel(reason);
      }
      if (f != null) {
        f.cancel(true);
      }
    }
    Thread p = puller;
    if (p != null && pullerInSource) {
      p.interrupt(); // a source blocked in next() (a queue, a publisher) gives up
    }
    closeSourceQuietly();
  }

  private void closeSourceQuietly() {
    if (closeSource == null) {
      return;
    }
    try {
      closeSource.close();
    } catch (Exception e) {
      LOG.debug("stream {}: closing the source failed: {}", id, e.toString());
    }
  }

  private void tick() {
    lock.lock();
    try {
      if (endNanos >= 0 || deliveryStop != null) { // ending: no further tick
        return;
      }
      tickDue = true;
      deliverable.signal();
    } finally {
      lock.unlock();
    }
    try {
      tickTimer = clock.schedule(progressPeriod, this::tick);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("stream {}: the clock no longer runs timers; periodic progress stops", id);
    }
  }

  // The consumer.

  /** Runs the stream with the consumer on this thread; returns once it ended and the puller exited. */
  StreamReport consumeHere(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    begin();
    boolean interrupted = consumeLoop(consumer);
    StreamReport report = finish();
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while consuming a stream");
    }
    Throwable failure = report.failure().orElse(null);
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    if (failure != null) {
      throw (RuntimeException) failure; // the consumer's or the source's, as thrown
    }
    return report;
  }

  /** Runs the stream with the consumer on a thread of the stream's; the future completes with the end. */
  CompletableFuture<StreamReport> consumeAsync(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    begin();
    Thread t = new Thread(() -> {
      consumeLoop(consumer);
      finish();
    }, "fanout-stream-" + id + "-consume");
    t.setDaemon(true);
    t.start();
    return result;
  }

  /** Delivers until the end or a stop; returns true if this thread was interrupted while waiting. */
  private boolean consumeLoop(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    long sinceProgress = 0;
    while (true) {
      FanoutStream.Completion<I, T> completion = null;
      boolean tick = false;
      lock.lock();
      try {
        while (ready.isEmpty() && !tickDue && deliveryStop == null && !(pullerExited && running.isEmpty())) {
          try {
            deliverable.await();
          } catch (InterruptedException e) {
            lock.unlock();
            try {
              stop(StreamReport.End.CANCELLED, null, "the consuming thread was interrupted");
            } finally {
              lock.lock();
            }
            return true;
          }
        }
        if (deliveryStop != null) {
          return false;
        }
        if (tickDue) {
          tickDue = false;
          tick = true;
        } else if (!ready.isEmpty()) {
          completion = ready.poll();
        } else {
          return false; // the source ran out and every input was delivered
        }
      } finally {
        lock.unlock();
      }
      try {
        if (completion != null) {
          consumer.accept(completion);
          lock.lock();
          try {
            delivered++;
            pullable.signal();
          } finally {
            lock.unlock();
          }
          sinceProgress++;
        }
        if (listener != null && (tick || progressEvery > 0 && sinceProgress >= progressEvery)) {
          sinceProgress = 0;
          listener.accept(progress());
        }
      } catch (RuntimeException | Error e) {
        stop(StreamReport.End.CONSUMER_FAILED, e, "the stream's consumer threw " + e);
        return false;
      }
    }
  }

  /** Waits for the puller, ends the run once, and completes the result. */
  private StreamReport finish() {
    lock.lock();
    try {
      while (!pullerExited) {
        deliverable.awaitUninterruptibly();
      }
      if (finalReport == null) {
        endNanos = clock.nanoTime();
      }
    } finally {
      lock.unlock();
    }
    FanoutClock.Timer t = deadlineTimer;
    if (t != null) {
      t.cancel();
    }
    FanoutClock.Timer tt = tickTimer;
    if (tt != null) {
      tt.cancel();
    }
    CallScope r = root;
    if (r != null) {
      r.cancel("cancelled: the stream has ended");
    }
    closeSourceQuietly();
    StreamReport report = report();
    lock.lock();
    try {
      if (finalReport == null) {
        finalReport = report;
      }
      report = finalReport;
    } finally {
      lock.unlock();
    }
    LOG.debug("stream {}: {}", id, report);
    Throwable failure = report.failure().orElse(null);
    synchronized (result) { // an outside completion in progress wins (StreamFuture.fromOutside)
      if (failure != null) {
        result.fail(failure);
      } else {
        result.succeed(report);
      }
    }
    return report;
  }

  // Reading.

  StreamProgress progress() {
    lock.lock();
    try {
      return progressLocked();
    } finally {
      lock.unlock();
    }
  }

  private StreamProgress progressLocked() {
    long now = endNanos >= 0 ? endNanos : started ? clock.nanoTime() : startNanos;
    return new StreamProgress(pulled, succeeded, failed, timedOut, cancelled, running.size(), ready.size(),
        delivered, Duration.ofNanos(Math.max(0, now - startNanos)), sizeHint);
  }

  /** Returns the final report once ended, else a snapshot. Labels are computed outside the lock. */
  StreamReport report() {
    StreamProgress counts;
    LatencyHistogram histogram;
    List<Slow<I>> slow;
    StreamReport.End end;
    Throwable failure;
    int peakInFlight;
    lock.lock();
    try {
      if (finalReport != null) {
        return finalReport;
      }
      counts = progressLocked();
      histogram = latencies.copy();
      slow = new ArrayList<>(slowest);
      peakInFlight = peak;
      if (endNanos < 0) {
        end = StreamReport.End.RUNNING;
        failure = null;
      } else if (deliveryStop != null) {
        end = deliveryStop;
        failure = consumerFailure;
      } else if (pullStop != null) {
        end = pullStop;
        failure = sourceFailure;
      } else {
        end = StreamReport.End.COMPLETED;
        failure = null;
      }
    } finally {
      lock.unlock();
    }
    slow.sort(Comparator.comparingLong(Slow<I>::nanos).reversed());
    List<StreamReport.SlowCall> calls = new ArrayList<>(slow.size());
    for (Slow<I> s : slow) {
      calls.add(new StreamReport.SlowCall(s.index(), label(s.input()), Duration.ofNanos(s.nanos()), s.kind()));
    }
    return new StreamReport(end, counts, peakInFlight, histogram, calls, failure);
  }

  private String label(I input) {
    try {
      return options.label(input);
    } catch (RuntimeException e) {
      return String.valueOf(input);
    }
  }

  CompletableFuture<StreamReport> result() {
    return result;
  }

  /** An input pulled and started; {@code future} and {@code scope} are set by the puller, under the lock. */
  private static final class Slot<I, T> {
    final long index;
    final I input;
    final long startNanos;
    CompletableFuture<?> future;
    CallScope scope;
    boolean settled;

    Slot(long index, I input, long startNanos) {
      this.index = index;
      this.input = input;
      this.startNanos = startNanos;
    }
  }

  private record Slow<I>(long index, I input, long nanos, Outcome.Kind kind) {}

  /** The stream's result: only the stream completes it; cancelling or completing it from outside cancels the stream. */
  private final class StreamFuture extends OwnedFuture<StreamReport> {
    boolean succeed(StreamReport report) {
      return sdkComplete(report);
    }

    boolean fail(Throwable error) {
      return sdkFail(error);
    }

    /** Stops the stream first, and completes before the stream's own ending can (both hold this monitor). */
    @Override
    protected boolean fromOutside(BooleanSupplier completion) {
      synchronized (this) {
        stop(StreamReport.End.CANCELLED, null, "the stream's future was completed from outside");
        return completion.getAsBoolean();
      }
    }
  }
}
