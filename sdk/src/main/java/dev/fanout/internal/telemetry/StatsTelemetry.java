package dev.fanout.internal.telemetry;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Protocol;
import okhttp3.Request;

/**
 * The telemetry behind a client's stats: it counts what the call path reports through the {@link Telemetry}
 * hooks (calls and attempts in flight, 429 responses, governor waits, hedges, replays) and nothing else, so that the
 * figures a client's {@code stats()} and a Flink operator's metrics show are the ones its spans show, with no
 * second set of counters in the call path. Thread-safe; every hook is a few atomic operations.
 *
 * <p>It reads no call arguments, so {@link #isEnabled()} is false: a client without OpenTelemetry builds no
 * {@link CallInfo} and starts no fan-out scope for it (a fan-out scope it is given only makes call scopes).
 */
public final class StatsTelemetry implements Telemetry {
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private final AtomicInteger attemptsInFlight = new AtomicInteger();
  private final LongAdder callsStarted = new LongAdder();
  private final LongAdder attemptsStarted = new LongAdder();
  private final LongAdder hedgesSent = new LongAdder();
  private final LongAdder replays = new LongAdder();
  private final LongAdder tooManyRequests = new LongAdder();
  private final LongAdder governorWaits = new LongAdder();
  private final LongAdder governorWaitNanos = new LongAdder();

  private final FanoutScope fanout = new FanoutScope() {
    @Override
    public CallScope callStarted(CallInfo call) {
      return StatsTelemetry.this.callStarted(call);
    }

    @Override
    public void ended(int succeeded, int failed, int cancelled, Throwable error) {}
  };

  @Override
  public boolean isEnabled() {
    return false;
  }

  @Override
  public FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound) {
    return fanout;
  }

  @Override
  public CallScope callStarted(CallInfo call) {
    callsStarted.increment();
    callsInFlight.incrementAndGet();
    return new Call();
  }

  /** Returns the logical calls started and not yet ended. */
  public int callsInFlight() {
    return callsInFlight.get();
  }

  /** Returns the attempts (hedges included) started and not yet ended. */
  public int attemptsInFlight() {
    return attemptsInFlight.get();
  }

  /** Returns the logical calls started. */
  public long callsStarted() {
    return callsStarted.sum();
  }

  /** Returns the attempts started, hedges included. */
  public long attemptsStarted() {
    return attemptsStarted.sum();
  }

  /** Returns the hedges sent. */
  public long hedgesSent() {
    return hedgesSent.sum();
  }

  /** Returns the requests sent again, inside their attempt, because the server never processed them. */
  public long replays() {
    return replays.sum();
  }

  /** Returns the responses with status 429. */
  public long tooManyRequests() {
    return tooManyRequests.sum();
  }

  /** Returns how many times the governor held a call before an attempt. */
  public long governorWaits() {
    return governorWaits.sum();
  }

  /** Returns the time calls were held by the governor, summed, in nanoseconds. */
  public long governorWaitNanos() {
    return governorWaitNanos.sum();
  }

  @Override
  public String toString() {
    return "StatsTelemetry{callsInFlight=" + callsInFlight + ", attemptsInFlight=" + attemptsInFlight + '}';
  }

  private final class Call implements CallScope {
    private final AtomicBoolean ended = new AtomicBoolean();

    @Override
    public AttemptScope attemptStarted(int n) {
      attemptsStarted.increment();
      attemptsInFlight.incrementAndGet();
      return new Attempt();
    }

    @Override
    public AttemptScope hedgeSent(int n) {
      hedgesSent.increment();
      return attemptStarted(n);
    }

    @Override
    public void governorWait(Duration waited) {
      governorWaits.increment();
      governorWaitNanos.add(waited.toNanos());
    }

    @Override
    public void firstChunk() {}

    @Override
    public void ended(Throwable error, GenAiResponse response) {
      if (ended.compareAndSet(false, true)) {
        callsInFlight.decrementAndGet();
      }
    }
  }

  private final class Attempt implements AttemptScope {
    private final AtomicBoolean ended = new AtomicBoolean();

    @Override
    public void inject(Request.Builder request) {}

    @Override
    public void responded(int statusCode, Protocol protocol) {
      if (statusCode == 429) {
        tooManyRequests.increment();
      }
    }

    @Override
    public void replayed() {
      replays.increment();
    }

    @Override
    public void ended(Throwable error) {
      if (ended.compareAndSet(false, true)) {
        attemptsInFlight.decrementAndGet();
      }
    }
  }
}
