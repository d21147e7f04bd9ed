package dev.fanout.samples.report;

import dev.fanout.CallTrace;
import dev.fanout.FanoutReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Collects the calls of one mode from the {@link FanoutReport}s of the fan-outs it ran, on one clock: the
 * mode's start. Start it just before the mode's first call and {@link #finish()} it just after the last.
 */
public final class ModeRecorder {
  private final String name;
  private final long startNanos;
  private final List<RunReport.Call> calls = new ArrayList<>();
  private long endNanos = -1;
  /** The governor reports of the fan-outs added, merged; null until one is added. */
  private dev.fanout.GovernorReport governor;

  private ModeRecorder(String name) {
    this.name = Objects.requireNonNull(name, "name == null");
    this.startNanos = System.nanoTime();
  }

  /** Starts timing a mode now. */
  public static ModeRecorder start(String name) {
    return new ModeRecorder(name);
  }

  public String name() {
    return name;
  }

  /** What one fan-out input was: its label, user id ({@code null} if none) and timeline lane. */
  public record Input(String label, Long id, String lane) {}

  /**
   * Adds one call per entry of {@code report}; {@code describe} names each entry (it gets the entry, whose
   * {@code index} is the input's position).
   */
  public synchronized ModeRecorder add(FanoutReport report, Function<FanoutReport.Entry, Input> describe) {
    long offset = report.startNanoTime() - startNanos;
    for (FanoutReport.Entry entry : report.entries()) {
      Input input = describe.apply(entry);
      long start = entry.started() ? millis(offset + entry.startNanos()) : -1;
      long end = entry.started() && entry.endNanos() >= 0 ? millis(offset + entry.endNanos()) : -1;
      Long sent = null;
      for (dev.fanout.CallTrace call : entry.calls()) {
        for (dev.fanout.CallTrace.Attempt attempt : call.attemptTimes()) {
          if (attempt.sent() && (sent == null || millis(attempt.sentNanos().getAsLong() - startNanos) < sent)) {
            sent = millis(attempt.sentNanos().getAsLong() - startNanos);
          }
        }
      }
      // Known from its calls' split: a call that ended held by the governor or queued was never in flight.
      Long inFlight = entry.started() && !entry.calls().isEmpty() ? entry.inFlight().toMillis() : null;
      calls.add(new RunReport.Call(
          input.label(), input.id(), input.lane(), start, sent == null || start < 0 ? null : Math.max(start, sent),
          end, inFlight, entry.attempts(), entry.outcome(), entry.errorType() == null ? null : entry.errorName(),
          entry.hedgesSent(), entry.hedgesWon(), entry.governorWait().toMillis()));
    }
    governor = merge(governor, report.governor());
    return this;
  }

  /**
   * Adds one call per trace, such as every HTTP call of an agent run ({@code AgentResult.report()}):
   * {@code describe} names each. Traces carry {@link System#nanoTime()} readings, the mode's own clock.
   */
  public synchronized ModeRecorder addTraces(List<CallTrace> traces, Function<CallTrace, Input> describe) {
    for (CallTrace trace : traces) {
      addTrace(trace, describe.apply(trace), trace.outcome(), trace.errorType() == null ? null : trace.errorName());
    }
    return this;
  }

  /**
   * Adds one call per trace of one fan-out {@code entry} (a fork that made several calls, one after another):
   * {@code describe} names each. If the entry timed out, the calls its deadline cancelled are added as timed
   * out, with the entry's error, as {@link #add} would show the entry.
   */
  public synchronized ModeRecorder addTraces(FanoutReport.Entry entry, Function<CallTrace, Input> describe) {
    boolean timedOut = entry.outcome() == dev.fanout.Outcome.Kind.TIMED_OUT;
    for (CallTrace trace : entry.calls()) {
      if (timedOut && trace.outcome() == dev.fanout.Outcome.Kind.CANCELLED) {
        addTrace(trace, describe.apply(trace), entry.outcome(), entry.errorType() == null ? null : entry.errorName());
      } else {
        addTrace(trace, describe.apply(trace), trace.outcome(), trace.errorType() == null ? null : trace.errorName());
      }
    }
    return this;
  }

  private void addTrace(CallTrace trace, Input input, dev.fanout.Outcome.Kind outcome, String error) {
    boolean started = trace.startNanos().isPresent();
    long start = started ? millis(trace.startNanos().getAsLong() - startNanos) : -1;
    long end = started && trace.endNanos() >= 0 ? millis(trace.endNanos() - startNanos) : -1;
    calls.add(new RunReport.Call(
        input.label(), input.id(), input.lane(), start, end, trace.attempts(), outcome, error,
        millis(trace.governorWaitNanos())));
  }

  /** Adds a later fan-out's governor report to the mode's: counts add up, the later buckets win. */
  private static dev.fanout.GovernorReport merge(dev.fanout.GovernorReport a, dev.fanout.GovernorReport b) {
    if (a == null) {
      return b;
    }
    java.util.Map<String, dev.fanout.GovernorReport.Bucket> buckets = new java.util.LinkedHashMap<>();
    for (dev.fanout.GovernorReport.Bucket x : a.buckets()) {
      buckets.put(x.host() + " " + x.name(), x);
    }
    for (dev.fanout.GovernorReport.Bucket x : b.buckets()) {
      buckets.put(x.host() + " " + x.name(), x);
    }
    return new dev.fanout.GovernorReport(a.rateLimited() + b.rateLimited(), a.waitedCalls() + b.waitedCalls(),
        a.totalWait().plus(b.totalWait()), a.maxWait().compareTo(b.maxWait()) >= 0 ? a.maxWait() : b.maxWait(),
        new ArrayList<>(buckets.values()));
  }

  /** Stops the clock (the first call wins) and returns the mode's wall time in nanoseconds. */
  public synchronized long finish() {
    if (endNanos < 0) {
      endNanos = System.nanoTime();
    }
    return endNanos - startNanos;
  }

  /** Returns the finished mode; calls are ordered by start time. */
  public synchronized RunReport.Mode toMode() {
    long wall = finish();
    List<RunReport.Call> sorted = new ArrayList<>(calls);
    sorted.sort((a, b) -> Long.compare(
        a.startMillis() < 0 ? Long.MAX_VALUE : a.startMillis(),
        b.startMillis() < 0 ? Long.MAX_VALUE : b.startMillis()));
    RunReport.Mode mode = RunReport.Mode.of(name, millis(wall), sorted);
    return governor == null ? mode : mode.withGovernor(RunReport.GovernorSummary.of(governor));
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
