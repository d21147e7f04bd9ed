package dev.fanout;

import java.time.Duration;

/**
 * A snapshot of what a {@link FanoutClient} is doing and has done: calls and attempts in flight now, and since
 * the client was built the calls and attempts started, the 429 responses, the governor's waits and the hedges
 * sent. It is an immutable value, taken by {@link FanoutClient#stats()}; take another for newer figures.
 *
 * <p>The figures come from the same hooks as the client's OpenTelemetry spans and metrics (a call's span, an
 * attempt's span, its response status, a governor wait or hedge event), whether or not an OpenTelemetry is
 * set, so they agree with them. A snapshot reads each figure atomically but not all at once: under load, two
 * figures may be a few events apart.
 */
public final class ClientStats {
  private final int callsInFlight;
  private final int attemptsInFlight;
  private final long callsStarted;
  private final long attemptsStarted;
  private final long tooManyRequests;
  private final long governorWaits;
  private final Duration governorWaitTotal;
  private final long hedgesSent;

  ClientStats(int callsInFlight, int attemptsInFlight, long callsStarted, long attemptsStarted,
      long tooManyRequests, long governorWaits, Duration governorWaitTotal, long hedgesSent) {
    this.callsInFlight = callsInFlight;
    this.attemptsInFlight = attemptsInFlight;
    this.callsStarted = callsStarted;
    this.attemptsStarted = attemptsStarted;
    this.tooManyRequests = tooManyRequests;
    this.governorWaits = governorWaits;
    this.governorWaitTotal = governorWaitTotal;
    this.hedgesSent = hedgesSent;
  }

  /**
   * Returns the logical calls started and not yet finished (waiting to be admitted, sending, backing off
   * between attempts). A call's future completes after it stops counting here.
   */
  public int callsInFlight() {
    return callsInFlight;
  }

  /** Returns the HTTP requests (first attempts, retries and hedges) sent and not yet ended. */
  public int attemptsInFlight() {
    return attemptsInFlight;
  }

  /** Returns the logical calls started since the client was built. */
  public long callsStarted() {
    return callsStarted;
  }

  /** Returns the HTTP requests started since the client was built: first attempts, retries and hedges. */
  public long attemptsStarted() {
    return attemptsStarted;
  }

  /** Returns the responses with status {@code 429 Too Many Requests} since the client was built. */
  public long tooManyRequests() {
    return tooManyRequests;
  }

  /**
   * Returns how many times the rate-limit governor held a request (an attempt or a hedge) before it was sent,
   * a wait that the call's deadline or cancel cut short included.
   */
  public long governorWaits() {
    return governorWaits;
  }

  /**
   * Returns the time requests were held by the rate-limit governor, summed over every wait (measured on the
   * client's clock, as {@link CallTrace#split()} measures it; a hedge's wait beside its attempt's request in
   * flight is counted here but is in flight in the trace).
   */
  public Duration governorWaitTotal() {
    return governorWaitTotal;
  }

  /** Returns the hedges (backup requests of a slow idempotent call) sent since the client was built. */
  public long hedgesSent() {
    return hedgesSent;
  }

  @Override
  public String toString() {
    return "ClientStats{callsInFlight=" + callsInFlight
        + ", attemptsInFlight=" + attemptsInFlight
        + ", callsStarted=" + callsStarted
        + ", attemptsStarted=" + attemptsStarted
        + ", tooManyRequests=" + tooManyRequests
        + ", governorWaits=" + governorWaits
        + ", governorWaitTotal=" + governorWaitTotal
        + ", hedgesSent=" + hedgesSent + '}';
  }
}
