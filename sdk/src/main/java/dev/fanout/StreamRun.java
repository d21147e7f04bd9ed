package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.OwnedFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link FanoutStream}, from its start to its one end: it resolves the deadline, clock and
 * enclosing context through the {@link RunCore} every fan-out shares, starts the {@link StreamPuller}
 * (pulling as capacity frees), settles each task's result into the {@link StreamState} (the books, under
 * their lock), acts on the deadline, a stop or a drain by releasing what ran (outside the lock, as every
 * fan-out does), and completes the result. The {@link StreamHandOff} delivers to the consumer.
 */
final class StreamRun<I, T> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.fanout");
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final FanoutOptions options;
  private final int concurrency;
  private final Duration progressPeriod;
  private final StreamState<I, T> state;
  private final StreamPuller<I, T> puller;
  private final StreamFuture result = new StreamFuture();

  // Set once in begin(), read by the other threads after it.
  private volatile RunCore core;
  private volatile CallScope root;
  private volatile FanoutClock.Timer deadlineTimer;
  private volatile FanoutClock.Timer tickTimer;

  StreamRun(FanoutStream.Builder<I, T> b) {
    this.options = b.options;
    this.concurrency = b.options.maxConcurrency() == FanoutOptions.DEFAULT_MAX_CONCURRENCY
        ? FanoutStream.DEFAULT_MAX_CONCURRENCY : b.options.maxConcurrency();
    this.progressPeriod = b.listener != null ? b.progressPeriod : null;
    this.state = new StreamState<>(concurrency, b.bufferSize, b.sizeHint, b.slowestKept);
    this.puller = new StreamPuller<>(this, state, b, (long) concurrency + b.bufferSize);
  }

  long id() {
    return id;
  }

  int concurrency() {
    return concurrency;
  }

  StreamState<I, T> state() {
    return state;
  }

  CompletableFuture<StreamReport> result() {
    return result;
  }

  /** Resolves the context, clock and deadline, sets the timers and starts the puller. */
  void begin() {
    RunCore c = RunCore.resolve(options);
    if (!state.start(c)) {
      throw new IllegalStateException("stream " + id + " was already started: a stream runs once");
    }
    core = c;
    root = c.inputScope(c.outer(), null);
    String outerCancelled = c.joinOuter(result);
    if (outerCancelled != null) {
      stop(StreamReport.End.CANCELLED, null, "its context was cancelled (" + outerCancelled + ")");
    }
    deadlineTimer = c.scheduleDeadline(this::onDeadline);
    if (progressPeriod != null) {
      tickTimer = c.clock().schedule(progressPeriod, this::tick);
    }
    puller.start(id);
  }

  /** A new input's scope: under the stream's root scope, on the shared deadline and clock. */
  CallScope newInputScope() {
    return core.inputScope(root, null);
  }

  /** An input's task ended: settle it, unless the deadline or a stop did. */
  void onDone(StreamSlot<I, T> slot, T value, Throwable error) {
    state.settle(slot, RunCore.outcome(RunCore.outcomeIndex(slot.index), value, error, () -> name(slot)));
  }

  void sourceEnded(Throwable error) {
    if (state.sourceEnded(error) && error != null) {
      LOG.debug("stream {}: the source failed after {} inputs: {}", id, state.pulled(), error.toString());
    }
  }

  private void onDeadline() {
    StreamState.Stopped timedOut = state.deadline(
        inFlight -> core.deadlinePassed("stream", " with " + inFlight + " input(s) in flight"));
    if (timedOut != null) {
      LOG.debug("stream {}: deadline passed, {} input(s) in flight timed out", id, timedOut.inFlight());
      release(timedOut, "cancelled: the stream's deadline passed");
    }
  }

  /**
   * Stops pulling and delivering: every input in flight is settled as cancelled and its calls cancelled,
   * the buffer is dropped. The first stop names the end; later ones do nothing.
   */
  void stop(StreamReport.End why, Throwable consumerError, String reason) {
    StreamState.Stopped cancelled = state.stop(why, consumerError,
        new FanoutCancelledException("cancelled: " + reason));
    if (cancelled != null) {
      LOG.debug("stream {}: stopped ({}), {} input(s) in flight cancelled", id, reason, cancelled.inFlight());
      release(cancelled, "cancelled: " + reason);
    }
  }

  /** Stops pulling; what is in flight finishes and is delivered. Does nothing once pulling stopped. */
  void drain() {
    if (state.drain()) {
      LOG.debug("stream {}: draining", id);
      puller.interruptSource();
    }
  }

  /** Cancels what the stopped inputs ran (and every call of the stream, through the root scope). */
  private void release(StreamState.Stopped stopped, String reason) {
    CallScope r = root;
    if (r != null) {
      r.cancel(reason);
    }
    stopped.release().run(reason);
    puller.interruptSource();
  }

  private void tick() {
    if (!state.tick()) {
      return;
    }
    try {
      tickTimer = core.clock().schedule(progressPeriod, this::tick);
    } catch (RejectedExecutionException e) {
      LOG.debug("stream {}: the clock no longer runs timers; periodic progress stops", id);
    }
  }

  /** Waits for the puller, ends the run once, and completes the result. */
  StreamReport finish() {
    state.awaitPullerAndEnd();
    cancelTimer(deadlineTimer);
    cancelTimer(tickTimer);
    root.cancel("cancelled: the stream has ended");
    puller.closeSource();
    StreamReport report = state.keepFinal(report());
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

  private static void cancelTimer(FanoutClock.Timer timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  StreamProgress progress() {
    return state.progress();
  }

  /** Returns the final report once ended, else a snapshot. */
  StreamReport report() {
    return state.report(this::label);
  }

  /** Names an input in errors as every fan-out does: "input 3 (row-3)". Runs the labeler: never under a lock. */
  String name(StreamSlot<I, ?> slot) {
    return "input " + slot.index + " (" + label(slot.input) + ")";
  }

  private String label(I input) {
    try {
      return options.label(input);
    } catch (RuntimeException e) {
      return String.valueOf(input);
    }
  }

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
