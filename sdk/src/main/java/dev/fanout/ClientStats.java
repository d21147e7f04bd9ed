package dev.fanout;

import java.time.Duration;

/**
 * A snapshot of what a {@link FanoutClient} is doing and has done: calls and attempts in flight now, and since
 * the client was built the calls and attempts started, the 429 responses, the governor's waits, the hedges
 * sent and the requests replayed. It is an immutable value, taken by {@link FanoutClient#stats()}; take
 * another for newer figures.
 *
 * <p>Each call tells each of its facts once (an attempt or hedge sent, its response status, a governor wait,
 * a replay, its end), and the figures here, the client's OpenTelemetry spans and metrics and the call's
 * {@link CallTrace} all hear that one telling, whether or not an OpenTelemetry is set, so they agree. A
 * snapshot reads each figure atomically but not all at once: under load, two figures may be a few events
 * apart.
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
  private final long replays;

  ClientStats(int callsInFlight, int attemptsInFlight, long callsStarted, long attemptsStarted,
      long tooManyRequests, long governorWaits, Duration governorWaitTotal, long hedgesSent, long replays) {
    this.callsInFlight = callsInFlight;
    this.attemptsInFlight = attemptsInFlight;
    this.callsStarted = callsStarted;
    this.attemptsStarted = attemptsStarted;
    this.tooManyRequests = tooManyRequests;
    this.governorWaits = governorWaits;
    this.governorWaitTotal = governorWaitTotal;
    this.hedgesSent = hedgesSent;
    this.replays = replays;
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

  /**
   * Returns the requests sent again since the client was built, at once and without spending an attempt,
   * because the server provably never processed them (see {@link CallTrace#replays()}).
   */
  public long replays() {
    return replays;
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
        + ", hedgesSent=" + hedgesSent
        + ", replays=" + replays + '}';
  }
}
