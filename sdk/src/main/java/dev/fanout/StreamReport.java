package dev.fanout;

import dev.fanout.internal.LatencyHistogram;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link FanoutStream} did: how it ended, one count per way an input can end, call latency
 * percentiles and a bounded sample of the slowest calls. Its size does not grow with the number of inputs:
 * it keeps counts and a fixed-size histogram, never one entry per call.
 *
 * <p>Every input pulled from the source is counted exactly once:
 * {@code pulled() == succeeded() + failed() + timedOut() + cancelled()} in a final report.
 * {@link #delivered()} is how many of them the consumer received; it is less than {@code pulled()} only
 * when the stream was cancelled or the consumer threw.
 */
public final class StreamReport {
  /** How a stream ended. */
  public enum End {
    /** Not ended yet: a snapshot of a running stream. */
    RUNNING,
    /** The source was exhausted and every input delivered. */
    COMPLETED,
    /** The deadline passed: pulling stopped, the inputs in flight were delivered as timed out. */
    DEADLINE,
    /** {@link FanoutStream#cancel()} (or an outer cancel): pulling and delivery stopped. */
    CANCELLED,
    /** The consumer (or progress listener) threw: pulling and delivery stopped. */
    CONSUMER_FAILED,
    /** The source threw: pulling stopped, the inputs in flight were still delivered. */
    SOURCE_FAILED
  }

  /**
   * One of the slowest calls: its input's pull index and label, its latency (from the task's start to its
   * result), and how it ended.
   */
  public record SlowCall(long index, String label, Duration latency, Outcome.Kind kind) {}

  private final End end;
  private final StreamProgress counts;
  private final int peakInFlight;
  private final LatencyHistogram latencies;
  private final List<SlowCall> slowest;
  private final Throwable failure;

  StreamReport(End end, StreamProgress counts, int peakInFlight, LatencyHistogram latencies,
      List<SlowCall> slowest, Throwable failure) {
    this.end = end;
    this.counts = counts;
    this.peakInFlight = peakInFlight;
    this.latencies = latencies;
    this.slowest = List.copyOf(slowest);
    this.failure = failure;
  }

  /** Returns how the stream ended, {@link End#RUNNING} for a snapshot taken while it runs. */
  public End end() {
    return end;
  }

  /** Returns the counts, as a final {@link StreamProgress}. */
  public StreamProgress counts() {
    return counts;
  }

  public long pulled() {
    return counts.pulled();
  }

  public long succeeded() {
    return counts.succeeded();
  }

  public long failed() {
    return counts.failed();
  }

  public long timedOut() {
    return counts.timedOut();
  }

  public long cancelled() {
    return counts.cancelled();
  }

  /** Returns how many inputs the consumer received (and returned from). */
  public long delivered() {
    return counts.delivered();
  }

  /** Returns the time from the start to the end (or to this snapshot), on the stream's clock. */
  public Duration elapsed() {
    return counts.elapsed();
  }

  /** Returns the most inputs in flight at once. */
  public int peakInFlight() {
    return peakInFlight;
  }

  /**
   * Returns the call latency at {@code percentile} (0 to 100; 50, 99, 99.9...) over every input whose task
   * finished by itself (succeeded or failed, not timed out or cancelled), within 0.8% of the exact value.
   * {@link Duration#ZERO} if there were none.
   */
  public Duration latency(double percentile) {
    return latencies.percentile(percentile);
  }

  /** Returns how many latencies the percentiles are over. */
  public long latencyCount() {
    return latencies.count();
  }

  public Duration meanLatency() {
    return latencies.mean();
  }

  public Duration maxLatency() {
    return latencies.max();
  }

  /** Returns the slowest calls, slowest first, at most {@link FanoutStream.Builder#slowestKept(int)}. */
  public List<SlowCall> slowest() {
    return slowest;
  }

  /** Returns what the consumer or the source threw, for {@link End#CONSUMER_FAILED} and {@link End#SOURCE_FAILED}. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return String.format("stream %s: %d pulled, %d ok, %d failed, %d timed out, %d cancelled, %d delivered "
            + "in %d ms (peak %d in flight); latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        end, pulled(), succeeded(), failed(), timedOut(), cancelled(), delivered(), elapsed().toMillis(),
        peakInFlight, ms(latency(50)), ms(latency(99)), ms(maxLatency()));
  }

  private static double ms(Duration d) {
    return d.toNanos() / 1e6;
  }
}
