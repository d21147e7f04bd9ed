package dev.fanout;

import dev.fanout.internal.CallScope;
import java.util.concurrent.CompletableFuture;

/**
 * One input of a stream, pulled and started: its pull index, the input, when it started (on the run's
 * clock), and what a stop must release. {@link #settled} is written under the {@link StreamState}'s lock,
 * once; the puller sets {@link #scope} and {@link #future} before it asks whether the slot is still in
 * flight, and a stop reads them after it settled the slot, so whichever comes second releases them.
 */
final class StreamSlot<I> {
  final long index;
  final I input;
  final long startNanos;
  volatile CallScope scope;
  volatile CompletableFuture<?> future;
  /** Guarded by the state's lock. */
  boolean settled;

  StreamSlot(long index, I input, long startNanos) {
    this.index = index;
    this.input = input;
    this.startNanos = startNanos;
  }
}
