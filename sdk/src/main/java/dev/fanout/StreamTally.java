package dev.fanout;

import dev.fanout.internal.LatencyHistogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * What a stream counts as its inputs settle: one count per way an input ends (the {@link OutcomeCounts} a
 * fan-out's ledger keeps too), the latencies of the calls
 * that finished by themselves in a fixed histogram, and the slowest of them in a bounded heap. Its size is
 * fixed whatever the number of inputs. Not thread-safe: {@link StreamState} holds its lock around every use.
 */
final class StreamTally<I> {
  private record Slow<I>(long index, I input, long nanos, Outcome.Kind kind) {}

  /** What the tally holds at one moment, copied out so the report is built outside the lock. */
  static final class Copy<I> {
    private final LatencyHistogram latencies;
    private final List<Slow<I>> slowest;

    private Copy(LatencyHistogram latencies, List<Slow<I>> slowest) {
      this.latencies = latencies;
      this.slowest = slowest;
    }

    LatencyHistogram latencies() {
      return latencies;
    }

    /** The slowest calls, slowest first, labelled by {@code label} (user code: call it outside any lock). */
    List<StreamReport.SlowCall> slowest(Function<? super I, String> label) {
      List<Slow<I>> sorted = new ArrayList<>(slowest);
      sorted.sort(Comparator.comparingLong(Slow<I>::nanos).reversed());
      List<StreamReport.SlowCall> calls = new ArrayList<>(sorted.size());
      for (Slow<I> s : sorted) {
        calls.add(new StreamReport.SlowCall(s.index(), label.apply(s.input()), Duration.ofNanos(s.nanos()), s.kind()));
      }
      return calls;
    }
  }

  private final int slowestKept;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final PriorityQueue<Slow<I>> slowest = new PriorityQueue<>(Comparator.comparingLong(Slow::nanos));
  private final OutcomeCounts counts = new OutcomeCounts();

  StreamTally(int slowestKept) {
    this.slowestKept = slowestKept;
  }

  /** Counts an input that ended as {@code kind} after {@code latencyNanos} in flight. */
  void settled(long index, I input, Outcome.Kind kind, long latencyNanos) {
    counts.count(kind);
    if (kind != Outcome.Kind.SUCCEEDED && kind != Outcome.Kind.FAILED) {
      return; // a timeout or a cancel says when the stream stopped, not how long the call takes
    }
    latencies.record(latencyNanos);
    if (slowestKept == 0) {
      return;
    }
    if (slowest.size() < slowestKept) {
      slowest.add(new Slow<>(index, input, latencyNanos, kind));
    } else if (latencyNanos > slowest.peek().nanos()) {
      slowest.poll();
      slowest.add(new Slow<>(index, input, latencyNanos, kind));
    }
  }

  /** Counts an input pulled while the stream stopped, never started. */
  void cancelledBeforeStart() {
    counts.count(Outcome.Kind.CANCELLED);
  }

  /** The counts by kind, live: read them under the state's lock. */
  OutcomeCounts counts() {
    return counts;
  }

  Copy<I> copy() {
    return new Copy<>(latencies.copy(), new ArrayList<>(slowest));
  }
}
