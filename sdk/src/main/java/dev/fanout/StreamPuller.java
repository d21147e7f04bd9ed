package dev.fanout;

import dev.fanout.internal.CallScope;
import dev.fanout.internal.PublisherIterator;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pulling side of a {@link StreamRun}: one thread that takes the next input from the source only when
 * the run says there is capacity (fewer tasks in flight than the concurrency, and fewer inputs pulled and
 * not yet consumed than the concurrency plus the buffer), and starts its task. The source is read from this
 * one thread only, so it needs no locking and may block; a stop interrupts it there and closes a publisher.
 * Holds no state of the run's: every count and every settle is the run's, under the run's lock.
 */
final class StreamPuller<I, T> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.fanout");

  private final StreamRun<I, T> run;
  private final StreamState<I, T> state;
  private final Iterator<? extends I> source;
  private final AutoCloseable closeSource;
  private final Fanout.Task<? super I, T> task;
  private volatile Thread thread;
  private volatile boolean inSource;

  StreamPuller(StreamRun<I, T> run, StreamState<I, T> state, FanoutStream.Builder<I, T> b, long window) {
    this.run = run;
    this.state = state;
    this.task = b.task;
    if (b.publisher != null) {
      PublisherIterator<I> p = new PublisherIterator<>(b.publisher, (int) Math.min(1024, window));
      this.source = p;
      this.closeSource = p;
    } else {
      this.source = b.iterator;
      this.closeSource = null;
    }
  }

  /** Subscribes a publisher source (before the stream's start returns: nothing published later is missed), then starts pulling. */
  void start(long id) {
    if (source instanceof PublisherIterator) {
      ((PublisherIterator<?>) source).subscribe();
    }
    Thread t = new Thread(this::pullLoop, "fanout-stream-" + id + "-pull");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void pullLoop() {
    try {
      while (state.awaitCapacity()) {
        I input;
        inSource = true;
        try {
          if (!source.hasNext()) {
            run.sourceEnded(null);
            return;
          }
          input = source.next();
          if (input == null) {
            throw new NullPointerException("the source returned null after " + state.pulled() + " inputs");
          }
        } catch (Throwable e) { // a checked exception thrown sneakily too: the pulling must end accounted
          run.sourceEnded(e);
          return;
        } finally {
          inSource = false;
        }
        StreamSlot<I, T> slot = state.admit(input);
        if (slot == null) {
          return; // pulled while the stream stopped: counted as cancelled, never started
        }
        launch(slot);
      }
    } finally {
      Thread.interrupted(); // a stop may have interrupted the source; this thread ends here
      state.pullerExited();
    }
  }

  /** Starts {@code slot}'s task in a scope of its own; a slot settled meanwhile (a stop) is cancelled at once. */
  private void launch(StreamSlot<I, T> slot) {
    CallScope scope = run.newInputScope();
    if (!state.attach(slot, scope)) {
      scope.cancel("cancelled: the stream stopped before input " + slot.index + " started");
      return;
    }
    CompletableFuture<T> future = RunCore.startTask(task, slot.input, scope, () -> run.name(slot));
    if (!state.attach(slot, future)) {
      future.cancel(true); // the stop that settled the slot cancelled its scope
      return;
    }
    future.whenComplete((value, error) -> run.onDone(slot, value, error));
  }

  /**
   * Makes a source blocked in {@code next()} (a queue, a publisher) give up: interrupts the pulling thread
   * while it is in the source, and closes a publisher's subscription. What it returns afterwards is not started.
   */
  void interruptSource() {
    Thread t = thread;
    if (t != null && inSource) {
      t.interrupt();
    }
    closeSource();
  }

  /** Closes a publisher source (cancels its subscription); an iterator or a stream is the caller's. */
  void closeSource() {
    if (closeSource == null) {
      return;
    }
    try {
      closeSource.close();
    } catch (Exception e) {
      LOG.debug("stream: closing the source failed: {}", e.toString());
    }
  }
}
