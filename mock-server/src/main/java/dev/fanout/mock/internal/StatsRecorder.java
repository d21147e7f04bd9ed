package dev.fanout.mock.internal;

import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe, exact counters behind {@link Stats}. */
public final class StatsRecorder {
  static final List<String> FAULT_KINDS = List.of(
      Stats.ERROR_5XX, Stats.RATE_LIMITED, Stats.DISCONNECT_BEFORE_BODY, Stats.DISCONNECT_DURING_BODY,
      Stats.STALL, Stats.MALFORMED_JSON, Stats.TAIL_LATENCY);

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> faults = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final LongAdder completed = new LongAdder();
  private final LongAdder aborted = new LongAdder();
  private final TraceRecorder traces = new TraceRecorder();

  public StatsRecorder() {
    for (String route : Routes.ALL) requests.put(route, new LongAdder());
    for (String kind : FAULT_KINDS) faults.put(kind, new LongAdder());
  }

  /** Counts a request that is never in flight (admin). */
  public void countOnly(String route) {
    requests.get(route).increment();
  }

  /** Counts a request and puts it in flight until the returned exchange finishes. */
  public Exchange arrive(String route) {
    requests.get(route).increment();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    return new Exchange();
  }

  /** The trace context the requests carried (reset with the other counters). */
  public TraceRecorder traces() {
    return traces;
  }

  public void fault(String kind) {
    faults.get(kind).increment();
  }

  /** Zeroes every counter; requests still in flight stay counted in {@code inFlight}. */
  public void reset() {
    for (LongAdder a : requests.values()) a.reset();
    for (LongAdder a : faults.values()) a.reset();
    completed.reset();
    aborted.reset();
    maxInFlight.set(inFlight.get());
    traces.reset();
  }

  public Stats snapshot() {
    Map<String, Long> byRoute = new LinkedHashMap<>();
    for (String route : Routes.ALL) byRoute.put(route, requests.get(route).sum());
    Map<String, Long> byFault = new LinkedHashMap<>();
    for (String kind : FAULT_KINDS) byFault.put(kind, faults.get(kind).sum());
    return new Stats(byRoute, inFlight.get(), maxInFlight.get(), completed.sum(), aborted.sum(), byFault);
  }

  /** One request in flight. Finishes exactly once, as completed or aborted. */
  public final class Exchange {
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Runnable onDone;

    private Exchange() {}

    /** Runs {@code hook} once this exchange finishes (at once if it already has). */
    public void onDone(Runnable hook) {
      onDone = hook;
      if (done.get()) hook.run();
    }

    public void completed() {
      finish(completed);
    }

    public void aborted() {
      finish(aborted);
    }

    /** Ends the exchange once, counted in {@code outcome}: the first of completed and aborted wins. */
    private void finish(LongAdder outcome) {
      if (done.compareAndSet(false, true)) {
        outcome.increment();
        inFlight.decrementAndGet();
        Runnable hook = onDone;
        if (hook != null) hook.run();
      }
    }

    public boolean isDone() {
      return done.get();
    }
  }
}
