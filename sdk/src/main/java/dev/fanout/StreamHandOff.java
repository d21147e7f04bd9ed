package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The consuming side of a {@link StreamRun}: hands the completions the run has buffered to the user's
 * consumer, one at a time, on the caller's thread ({@link FanoutStream#forEach}) or on one thread of the
 * stream's ({@link FanoutStream#start}), never on an HTTP client thread; and calls the progress listener
 * between two deliveries. Each delivery returned from the consumer frees one place for the puller. If the
 * consumer or the listener throws, the run stops as for a cancel and the failure is the stream's.
 */
final class StreamHandOff<I, T> {
  private final StreamRun<I, T> run;
  private final Consumer<? super StreamProgress> listener;
  private final long progressEvery;

  StreamHandOff(StreamRun<I, T> run, FanoutStream.Builder<I, T> b) {
    this.run = run;
    this.listener = b.listener;
    this.progressEvery = b.progressEvery;
  }

  /** Runs the stream with the consumer on this thread; returns once it ended and the puller exited. */
  StreamReport consumeHere(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    run.begin();
    boolean interrupted = consumeLoop(consumer);
    StreamReport report = run.finish();
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while consuming a stream");
    }
    Throwable failure = report.failure().orElse(null);
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure; // the consumer's or the source's, as thrown
    }
    if (failure != null) {
      throw new CompletionException(failure); // a checked exception thrown without declaring it
    }
    return report;
  }

  /** Runs the stream with the consumer on a thread of the stream's; the future completes with the end. */
  CompletableFuture<StreamReport> consumeAsync(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    run.begin();
    Thread t = new Thread(() -> {
      consumeLoop(consumer);
      run.finish();
    }, "fanout-stream-" + run.id() + "-consume");
    t.setDaemon(true);
    t.start();
    return run.result();
  }

  /** Delivers until the end or a stop; returns true if this thread was interrupted while waiting. */
  private boolean consumeLoop(Consumer<? super FanoutStream.Completion<I, T>> consumer) {
    long sinceProgress = 0;
    while (true) {
      StreamState.Next<I, T> next;
      try {
        next = run.state().awaitNext();
      } catch (InterruptedException e) {
        run.stop(StreamReport.End.CANCELLED, null, "the consuming thread was interrupted");
        return true;
      }
      if (next == null) {
        return false; // stopped, or the source ran out and every input was delivered
      }
      try {
        if (next.completion() != null) {
          consumer.accept(next.completion());
          run.state().consumed();
          sinceProgress++;
        }
        if (listener != null && (next.tick() || progressEvery > 0 && sinceProgress >= progressEvery)) {
          sinceProgress = 0;
          listener.accept(run.progress());
        }
      } catch (Throwable e) { // a checked exception thrown sneakily too: the stream must stop accounted
        run.stop(StreamReport.End.CONSUMER_FAILED, e, "the stream's consumer threw " + e);
        return false;
      }
    }
  }
}
