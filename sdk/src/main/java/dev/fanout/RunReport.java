package dev.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Builds the {@link FanoutReport} of a list fan-out or a scope from its {@link Ledger}'s snapshot: one entry
 * per input (or fork), its times relative to the run's start on the run's clock, its attempts (those its
 * calls traced, else 1 once started) and how it ended ({@link Outcome.Kind#RUNNING} while unsettled).
 */
final class RunReport {
  private RunReport() {}

  /**
   * @param startNanos when the run started, on its clock
   * @param endNanos when it was decided, or now while it runs
   * @param label names input {@code i}: user code, so never called under a lock
   */
  static FanoutReport of(String combinator, long startNanos, long endNanos, Ledger.Snapshot s,
      IntFunction<String> label, GovernorReport governor) {
    int n = s.outcomes().length;
    List<FanoutReport.Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Outcome<?> outcome = s.outcomes()[i];
      List<CallTrace> callTraces = s.traces().get(i);
      int attempts = 0;
      for (CallTrace trace : callTraces) {
        attempts += trace.attempts();
      }
      if (attempts == 0 && s.startNanos()[i] >= 0) {
        attempts = 1;
      }
      Outcome.Kind kind = outcome == null ? Outcome.Kind.RUNNING : outcome.kind();
      Class<? extends Throwable> errorType = outcome == null || outcome.isSuccess() ? null : outcome.error().getClass();
      entries.add(new FanoutReport.Entry(
          i,
          label.apply(i),
          s.startNanos()[i] < 0 ? -1 : s.startNanos()[i] - startNanos,
          s.endNanos()[i] < 0 ? -1 : s.endNanos()[i] - startNanos,
          attempts,
          kind,
          errorType,
          callTraces));
    }
    return new FanoutReport(combinator, startNanos, endNanos - startNanos, s.decided(), s.peak(), entries, governor);
  }
}
