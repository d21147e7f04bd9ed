package dev.fanout;

import java.time.Duration;
import dev.fanout.internal.CallScope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The books of one {@link StreamRun}: what was pulled, what is in flight, what waits for the consumer, how
 * each input ended, and why the stream ends. One lock guards them; every method holds it briefly and runs no
 * user code (no source, task, consumer or labeler). Each input is a {@link RunSlot}, settled once as a
 * fan-out's inputs are: by its task's result, the deadline or a stop, whichever comes first; and counted
 * once, at that moment, in the {@link StreamTally}. What must then be cancelled is handed back for the run
 * to release outside the lock.
 *
 * <p>Its size is bounded whatever the number of inputs: the slots in flight (at most the concurrency), the
 * completions waiting (with those in flight, at most the concurrency plus the buffer) and the tally.
 */
final class StreamState<I, T> {
  private final int concurrency;
  private final int buffer;
  private final OptionalLong sizeHint;
  private final ReentrantLock lock = new ReentrantLock();
  /** The puller waits here for capacity; signalled when an input settles or is delivered, and on stop. */
  private final Condition pullable = lock.newCondition();
  /** The consumer waits here for a completion, a progress tick or the end; and for the puller to exit. */
  private final Condition deliverable = lock.newCondition();

  // Guarded by lock.
  private RunCore core;
  private final Map<Long, StreamSlot<I, T>> running = new HashMap<>();
  private final ArrayDeque<FanoutStream.Completion<I, T>> ready = new ArrayDeque<>();
  private final StreamTally<I> tally;
  private long pulled;
  private long delivered;
  private int peak;
  private boolean stopPulling;
  private boolean pullerExited;
  private boolean tickDue;
  private boolean deadlinePassed;
  /** Why pulling stopped early: DRAINED, DEADLINE or SOURCE_FAILED; null if the source ran out (or not yet). */
  private StreamReport.End pullStop;
  /** Why delivery stopped: CANCELLED or CONSUMER_FAILED; null if it did not. */
  private StreamReport.End deliveryStop;
  private Throwable sourceFailure;
  private Throwable consumerFailure;
  private long endNanos = -1;
  private StreamReport finalReport;

  StreamState(int concurrency, int buffer, OptionalLong sizeHint, int slowestKept) {
    this.concurrency = concurrency;
    this.buffer = buffer;
    this.sizeHint = sizeHint;
    this.tally = new StreamTally<>(slowestKept);
  }

  /** What a deadline or a stop settled: how many inputs were in flight, and what they must release. */
  record Stopped(int inFlight, RunSlot.Release release) {}

  /** What the consumer does next: deliver {@code completion} (if not null), then call the listener if {@code tick}. */
  record Next<I, T>(FanoutStream.Completion<I, T> completion, boolean tick) {}

  /** Starts the books on {@code core}'s clock; false if they were already started (a stream runs once). */
  boolean start(RunCore core) {
    return locked(() -> {
      if (this.core != null) {
        return false;
      }
      this.core = core;
      return true;
    });
  }

  // The puller's side.

  /** Waits until one more input may be pulled; false once pulling has stopped. */
  boolean awaitCapacity() {
    lock.lock();
    try {
      while (!stopPulling
          && !(running.size() < concurrency && pulled - delivered < (long) concurrency + buffer)) {
        pullable.awaitUninterruptibly();
      }
      return !stopPulling;
    } finally {
      lock.unlock();
    }
  }

  /** Counts a pulled input and returns its slot, or null (counted as cancelled) if pulling stopped meanwhile. */
  StreamSlot<I, T> admit(I input) {
    lock.lock();
    try {
      long index = pulled++;
      if (stopPulling) {
        tally.cancelledBeforeStart();
        return null;
      }
      StreamSlot<I, T> slot = new StreamSlot<>(index, input, core.clock().nanoTime());
      running.put(index, slot);
      peak = Math.max(peak, running.size());
      return slot;
    } finally {
      lock.unlock();
    }
  }

  long pulled() {
    return progress().pulled();
  }

  /** Holds the scope {@code slot}'s calls run in, for a stop to release; false if a stop settled it already. */
  boolean attach(StreamSlot<I, T> slot, CallScope scope) {
    return locked(() -> slot.attach(scope));
  }

  /** Holds {@code slot}'s task; false if a stop settled the slot meanwhile (the puller cancels it then). */
  boolean attach(StreamSlot<I, T> slot, CompletableFuture<?> future) {
    return locked(() -> slot.attach(future));
  }

  /** The source ran out ({@code error} null) or failed; false if pulling had already stopped. */
  boolean sourceEnded(Throwable error) {
    lock.lock();
    try {
      if (stopPulling) {
        return false; // stopped meanwhile: what the source did after that does not matter
      }
      stopPulling = true;
      if (error != null) {
        pullStop = StreamReport.End.SOURCE_FAILED;
        sourceFailure = error;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  void pullerExited() {
    lock.lock();
    try {
      pullerExited = true;
      deliverable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // Settling: each input once.

  /** Settles {@code slot} with its task's outcome, unless the deadline or a stop settled it first. */
  void settle(StreamSlot<I, T> slot, Outcome<T> outcome) {
    lock.lock();
    try {
      FanoutStream.Completion<I, T> completion = settleLocked(slot, outcome, core.clock().nanoTime(), null);
      if (completion == null) {
        return; // the deadline or a stop settled it first
      }
      if (deliveryStop == null) {
        ready.add(completion);
        deliverable.signal();
      }
      pullable.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Settles {@code slot} and counts it, or returns null if it was settled already. */
  private FanoutStream.Completion<I, T> settleLocked(
      StreamSlot<I, T> slot, Outcome<T> outcome, long now, RunSlot.Releaser releaser) {
    if (!slot.settle(outcome, now, releaser)) {
      return null;
    }
    running.remove(slot.index);
    tally.settled(slot.index, slot.input, outcome.kind(), slot.endNanos() - slot.startNanos());
    return new FanoutStream.Completion<>(slot.index, slot.input, outcome);
  }

  /** Settles every slot in flight with {@code error}, in pull order, queued for delivery if {@code deliver}. */
  private Stopped settleRunningLocked(Throwable error, boolean deliver) {
    List<StreamSlot<I, T>> slots = new ArrayList<>(running.values());
    slots.sort(Comparator.comparingLong(s -> s.index));
    long now = core == null ? 0 : core.clock().nanoTime();
    RunSlot.Releaser releaser = new RunSlot.Releaser();
    for (StreamSlot<I, T> slot : slots) {
      FanoutStream.Completion<I, T> c =
          settleLocked(slot, Outcome.failure(RunCore.outcomeIndex(slot.index), error), now, releaser);
      if (deliver) {
        ready.add(c);
      }
    }
    pullable.signalAll();
    deliverable.signalAll();
    return new Stopped(slots.size(), releaser.release());
  }

  /**
   * The deadline passed: pulling stops and every input in flight is settled with the error {@code timeout}
   * makes of their number, delivered to the consumer as timed out. Returns what they release, or null if the stream
   * had already ended or stopped delivering.
   */
  Stopped deadline(IntFunction<? extends Throwable> timeout) {
    lock.lock();
    try {
      if (finalReport != null || deliveryStop != null || deadlinePassed) {
        return null;
      }
      deadlinePassed = true;
      stopPulling = true;
      if (pullStop == null || pullStop == StreamReport.End.DRAINED) {
        pullStop = StreamReport.End.DEADLINE;
      }
      return settleRunningLocked(timeout.apply(running.size()), true);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops pulling and delivering, once: every input in flight is settled with {@code error} (never
   * delivered), the completions waiting are dropped (counted when they settled). Returns what the inputs
   * that were in flight release, or null if the stream had already stopped or ended.
   */
  Stopped stop(StreamReport.End why, Throwable consumerError, Throwable error) {
    lock.lock();
    try {
      if (deliveryStop != null || finalReport != null) {
        return null;
      }
      deliveryStop = why;
      consumerFailure = consumerError;
      stopPulling = true;
      ready.clear();
      return settleRunningLocked(error, false);
    } finally {
      lock.unlock();
    }
  }

  /** Stops pulling, gracefully; false if pulling had already stopped. */
  boolean drain() {
    return locked(() -> {
      if (stopPulling) {
        return false;
      }
      stopPulling = true;
      pullStop = StreamReport.End.DRAINED;
      pullable.signalAll();
      return true;
    });
  }

  // The consumer's side.

  /** Waits for the next delivery or progress tick; null once delivery stopped or everything was delivered. */
  Next<I, T> awaitNext() throws InterruptedException {
    lock.lock();
    try {
      while (ready.isEmpty() && !tickDue && deliveryStop == null && !(pullerExited && running.isEmpty())) {
        deliverable.await();
      }
      if (deliveryStop != null) {
        return null;
      }
      if (tickDue) {
        tickDue = false;
        return new Next<>(null, true);
      }
      return ready.isEmpty() ? null : new Next<>(ready.poll(), false);
    } finally {
      lock.unlock();
    }
  }

  /** A completion returned from the consumer: one more place for the puller. */
  void consumed() {
    lock.lock();
    try {
      delivered++;
      pullable.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Marks a progress tick due; false once the stream is ending (no further tick). */
  boolean tick() {
    lock.lock();
    try {
      if (endNanos >= 0 || deliveryStop != null) {
        return false;
      }
      tickDue = true;
      deliverable.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  // Ending.

  /** Waits for the puller to exit, then stamps the end (once). */
  void awaitPullerAndEnd() {
    lock.lock();
    try {
      while (!pullerExited) {
        deliverable.awaitUninterruptibly();
      }
      if (finalReport == null) {
        endNanos = core.clock().nanoTime();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Keeps {@code report} as the final one unless one already is; returns the final report. */
  StreamReport keepFinal(StreamReport report) {
    return locked(() -> {
      if (finalReport == null) {
        finalReport = report;
      }
      return finalReport;
    });
  }


  // Reading.

  StreamProgress progress() {
    return locked(this::progressLocked);
  }

  /** Runs {@code action} under the lock: only what needs no lock to be released outside it. */
  private <R> R locked(Supplier<R> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  private StreamProgress progressLocked() {
    long elapsed = core == null ? 0 : (endNanos >= 0 ? endNanos : core.clock().nanoTime()) - core.startNanos();
    OutcomeCounts c = tally.counts();
    return new StreamProgress(pulled, c.succeeded(), c.failed(), c.timedOut(), c.cancelled(),
        running.size(), ready.size(), delivered, Duration.ofNanos(Math.max(0, elapsed)), sizeHint);
  }

  /** Returns the final report once ended, else a snapshot; {@code label} (user code) runs outside the lock. */
  StreamReport report(Function<? super I, String> label) {
    StreamProgress counts;
    StreamTally.Copy<I> copy;
    StreamReport.End end;
    Throwable failure;
    int peakInFlight;
    lock.lock();
    try {
      if (finalReport != null) {
        return finalReport;
      }
      counts = progressLocked();
      copy = tally.copy();
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
    return new StreamReport(end, counts, peakInFlight, copy.latencies(), copy.slowest(label), failure);
  }
}
