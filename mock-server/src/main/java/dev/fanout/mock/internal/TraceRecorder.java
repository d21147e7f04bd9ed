package dev.fanout.mock.internal;

import dev.fanout.mock.TraceContext;
import dev.fanout.mock.TraceStats;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import dev.fanout.mock.ReceivedRequest;

/** Thread-safe counters behind {@link TraceStats}: one {@link #record} per non-admin request, on both engines. */
public final class TraceRecorder {
  private final LongAdder valid = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder absent = new LongAdder();
  private final LongAdder withState = new LongAdder();
  private final LinkedHashSet<String> recent = new LinkedHashSet<>();

  /** Records the trace context of {@code request}. */
  public void record(ReceivedRequest request) {
    String traceparent = request.header("traceparent");
    if (traceparent == null) {
      absent.increment();
      return;
    }
    Optional<TraceContext> parsed = TraceContext.of(request);
    if (parsed.isEmpty()) {
      invalid.increment();
      return;
    }
    valid.increment();
    if (parsed.get().tracestate().isPresent()) {
      withState.increment();
    }
    String traceId = parsed.get().traceId();
    synchronized (recent) {
      recent.remove(traceId);
      recent.add(traceId);
      if (recent.size() > TraceStats.RECENT_TRACE_IDS) {
        recent.remove(recent.iterator().next());
      }
    }
  }

  public void reset() {
    valid.reset();
    invalid.reset();
    absent.reset();
    withState.reset();
    synchronized (recent) {
      recent.clear();
    }
  }

  public TraceStats snapshot() {
    ArrayList<String> ids;
    synchronized (recent) {
      ids = new ArrayList<>(recent);
    }
    return new TraceStats(valid.sum(), invalid.sum(), absent.sum(), withState.sum(), ids);
  }
}
