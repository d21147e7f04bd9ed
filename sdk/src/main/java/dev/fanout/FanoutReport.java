package dev.fanout;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * What one fan-out did: its wall time, one entry per input (when it started and ended relative to the
 * fan-out's start, attempts, outcome, and the HTTP calls it made), how long its inputs were queued and how
 * long their requests were in flight, the speed-up that concurrency bought and the peak number of requests
 * in flight at once.
 *
 * <h2>Queued is not held by the governor, and neither is in flight.</h2>
 * An input waits before its requests go out: for the fan-out's {@link FanoutOptions#maxConcurrency()} (it
 * has not started), for the client's rate-limit governor ({@link #governorWaitTime()}), and in the client's
 * queue while {@link FanoutClient#maxInFlight()} requests are in flight ({@link #clientQueuedTime()}). The
 * first and the last are {@link #queuedTime()}. A request is in flight from the moment it leaves the client's
 * queue until its outcome is known (sent and unanswered): {@link #inFlightTime()}. Each call's time is split
 * this way once ({@link CallTrace#split()}), so a call held by the governor until its deadline shows that
 * wait and no time in flight. The speed-up is in-flight
 * time over wall time (what running the requests one after another would cost, over what the fan-out took),
 * and {@link #peakConcurrency()} counts requests in flight, which is what a server sees; a fan-out of 20
 * on {@code maxInFlight(4)} reports about 4 for both, not 20.
 *
 * <p>An input that made no call through a {@link FanoutClient} (a task of the caller's own) counts its whole
 * run as in flight. Entries are in input order; an input the fan-out never started (it was decided or
 * cancelled first) has a start and end of {@code -1} and the outcome {@link Outcome.Kind#CANCELLED}.
 */
public final class FanoutReport {
  private final String combinator;
  private final long startNanoTime;
  private final long wallNanos;
  private final boolean finished;
  private final int peakInputs;
  private final int peakInFlight;
  private final List<Entry> entries;
  private final GovernorReport governor;

  FanoutReport(
      String combinator,
      long startNanoTime,
      long wallNanos,
      boolean finished,
      int peakInputs,
      List<Entry> entries,
      GovernorReport governor) {
    this.governor = Objects.requireNonNull(governor, "governor == null");
    this.combinator = combinator;
    this.startNanoTime = startNanoTime;
    this.wallNanos = wallNanos;
    this.finished = finished;
    this.peakInputs = peakInputs;
    this.entries = List.copyOf(entries);
    this.peakInFlight = peakInFlight(this.entries, startNanoTime, startNanoTime + wallNanos);
  }

  /**
   * The most requests sent and unanswered at once: a sweep over every attempt's in-flight interval (an input
   * without calls: its run), an end at the same instant as a start counted first.
   */
  private static int peakInFlight(List<Entry> entries, long startNanoTime, long nowNanoTime) {
    List<long[]> events = new java.util.ArrayList<>();
    for (Entry entry : entries) {
      if (!entry.started()) {
        continue;
      }
      if (entry.calls().isEmpty()) {
        long end = entry.endNanos() >= 0 ? startNanoTime + entry.endNanos() : nowNanoTime;
        events.add(new long[] {startNanoTime + entry.startNanos(), 1});
        events.add(new long[] {Math.max(end, startNanoTime + entry.startNanos()), -1});
        continue;
      }
      for (CallTrace call : entry.calls()) {
        if (call.attemptTimes().isEmpty() && call.attempts() > 0) {
          long start = call.startNanos().orElse(call.queuedNanos());
          events.add(new long[] {start, 1});
          events.add(new long[] {Math.max(call.endNanos(), start), -1});
        }
        for (CallTrace.Attempt a : call.attemptTimes()) {
          if (a.sent()) {
            events.add(new long[] {a.sentNanos().getAsLong(), 1});
            events.add(new long[] {a.endNanos(), -1});
          }
        }
      }
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int now = 0;
    int peak = 0;
    for (long[] event : events) {
      now += (int) event[1];
      peak = Math.max(peak, now);
    }
    return peak;
  }

  /** One input of the fan-out. Times are nanoseconds since the fan-out started; {@code -1} if it never ran. */
  public record Entry(
      int index,
      String label,
      long startNanos,
      long endNanos,
      int attempts,
      Outcome.Kind outcome,
      Class<? extends Throwable> errorType,
      List<CallTrace> calls) {
    public Entry {
      Objects.requireNonNull(label, "label == null");
      Objects.requireNonNull(outcome, "outcome == null");
      calls = List.copyOf(calls);
    }

    /** Returns true if the input produced a value. */
    public boolean ok() {
      return outcome == Outcome.Kind.SUCCEEDED;
    }

    /** Returns the simple name of the error type, or {@code ""} if there was none. */
    public String errorName() {
      return errorType == null ? "" : errorType.getSimpleName();
    }

    /** Returns true if the input was started. */
    public boolean started() {
      return startNanos >= 0;
    }

    /** Returns the time its calls waited for the rate-limit governor, summed; see {@link CallTrace#governorWait()}. */
    public Duration governorWait() {
      return Duration.ofNanos(calls.stream().mapToLong(CallTrace::governorWaitNanos).sum());
    }

    /** Returns the hedges (backup requests) its calls sent; see {@link CallTrace#hedgesSent()}. */
    public int hedgesSent() {
      return calls.stream().mapToInt(CallTrace::hedgesSent).sum();
    }

    /** Returns how many of its calls' hedges were the response taken; see {@link CallTrace#hedgesWon()}. */
    public int hedgesWon() {
      return calls.stream().mapToInt(CallTrace::hedgesWon).sum();
    }

    /** Returns how long the input ran, zero if it never started or is still running. */
    public Duration duration() {
      return started() && endNanos >= startNanos ? Duration.ofNanos(endNanos - startNanos) : Duration.ZERO;
    }

    /**
     * Returns how long the input's requests were in flight (sent and unanswered), summed over its calls and
     * their attempts; an input that made no call through a client counts its whole {@link #duration()}.
     */
    public Duration inFlight() {
      if (calls.isEmpty()) {
        return duration();
      }
      long sum = 0;
      for (CallTrace call : calls) {
        sum += call.inFlightNanos();
      }
      return Duration.ofNanos(sum);
    }

    /**
     * Returns how long its calls waited in the client's queue for a {@code maxInFlight} slot, summed; see
     * {@link CallTrace#clientQueueNanos()}.
     */
    public Duration clientQueued() {
      long sum = 0;
      for (CallTrace call : calls) {
        sum += call.clientQueueNanos();
      }
      return Duration.ofNanos(sum);
    }

    /**
     * Returns how long the input waited: for the fan-out's bound before it started (its start, counted from
     * the fan-out's start) plus the time its calls' attempts waited in the client's queue for a
     * {@code maxInFlight} slot. Zero for an input that never started.
     */
    public Duration queued() {
      if (!started()) {
        return Duration.ZERO;
      }
      return Duration.ofNanos(startNanos).plus(clientQueued());
    }
  }

  /** Returns the combinator that ran: {@code "all"}, {@code "settleAll"}, {@code "sequential"} and so on. */
  public String combinator() {
    return combinator;
  }

  /**
   * Returns the fan-out's {@link FanoutClock#nanoTime()} when it started, to relate {@link CallTrace} times (which
   * read the client's clock: the same one unless the fan-out was given another).
   */
  public long startNanoTime() {
    return startNanoTime;
  }

  /** Returns false if this is a snapshot of a fan-out still running. */
  public boolean finished() {
    return finished;
  }

  /** Returns the time from the fan-out's start to its result (or to now, for a snapshot). */
  public Duration wall() {
    return Duration.ofNanos(wallNanos);
  }

  public List<Entry> entries() {
    return entries;
  }

  /**
   * Returns the sum of every input's running time, from its start to its end: its requests' time in flight
   * plus its time in the client's queue, retry backoffs and its own work. Not what running the inputs one
   * after another would cost when the client queued them (see {@link #inFlightTime()}).
   */
  public Duration sumOfCallTimes() {
    return sum(Entry::duration);
  }

  /** Returns the inputs' time in flight ({@link Entry#inFlight()}), summed: the requests' own time. */
  public Duration inFlightTime() {
    return sum(Entry::inFlight);
  }

  /**
   * Returns the inputs' time queued ({@link Entry#queued()}), summed: waiting for the fan-out's bound and for
   * the client's {@code maxInFlight}.
   */
  public Duration queuedTime() {
    return sum(Entry::queued);
  }

  /** Returns the inputs' time in the client's queue for {@code maxInFlight} ({@link Entry#clientQueued()}), summed. */
  public Duration clientQueuedTime() {
    return sum(Entry::clientQueued);
  }

  /**
   * Returns the inputs' time held by the rate-limit governor ({@link Entry#governorWait()}), summed: also the
   * waits of calls that ended (a deadline, a cancel) while the governor held them.
   */
  public Duration governorWaitTime() {
    return sum(Entry::governorWait);
  }

  /**
   * Returns {@link #inFlightTime()} divided by {@link #wall()}: how much concurrency saved over sending the
   * requests one after another. Time queued does not count: a fan-out held to 4 requests at a time by
   * {@code maxInFlight(4)} reports about 4×, however many inputs it had.
   */
  public double speedUp() {
    return wallNanos <= 0 ? 0.0 : (double) inFlightTime().toNanos() / wallNanos;
  }

  /**
   * Returns what the client's rate-limit governor did for this fan-out: the 429s its attempts got, how long
   * its calls waited for admission, and the limits of the buckets they went to (what the governor
   * converged to).
   */
  public GovernorReport governor() {
    return governor;
  }

  /**
   * Returns the most requests in flight (sent and unanswered) at the same time, which is what the server
   * sees: never more than the client's {@code maxInFlight}. An input that made no call through a client counts
   * as one request for its whole run.
   */
  public int peakConcurrency() {
    return peakInFlight;
  }

  /**
   * Returns the most inputs started and not finished at the same time, queued ones included: the fan-out's
   * own concurrency, bounded by {@link FanoutOptions#maxConcurrency()}.
   */
  public int peakInputs() {
    return peakInputs;
  }

  private Duration sum(Function<Entry, Duration> time) {
    long sum = 0;
    for (Entry entry : entries) {
      sum += time.apply(entry).toNanos();
    }
    return Duration.ofNanos(sum);
  }

  public int succeeded() {
    return (int) entries.stream().filter(Entry::ok).count();
  }

  public int failed() {
    return entries.size() - succeeded();
  }

  /**
   * Returns the hedges (backup requests, see {@link HedgePolicy}) the fan-out's calls sent: its extra load
   * is this over the requests its calls' attempts made.
   */
  public int hedgesSent() {
    return entries.stream().mapToInt(Entry::hedgesSent).sum();
  }

  /** Returns how many calls took a hedge's response rather than their first request's. */
  public int hedgesWon() {
    return entries.stream().mapToInt(Entry::hedgesWon).sum();
  }

  /** Returns the {@code n} slowest started inputs, slowest first. */
  public List<Entry> slowest(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n < 0: " + n);
    }
    return entries.stream()
        .filter(Entry::started)
        .sorted(Comparator.comparing(Entry::duration).reversed())
        .limit(n)
        .toList();
  }

  /**
   * Returns this report as JSON: {@code combinator}, {@code wallMillis}, {@code sumMillis},
   * {@code inFlightMillis}, {@code queuedMillis}, {@code clientQueuedMillis}, {@code governorWaitMillis},
   * {@code speedUp}, {@code peakConcurrency} (requests in flight), {@code peakInputs}, {@code ok},
   * {@code failed}, {@code hedgesSent}, {@code hedgesWon} and {@code entries} (each with {@code index},
   * {@code label}, {@code startMillis}, {@code endMillis}, {@code queuedMillis}, {@code clientQueuedMillis},
   * {@code governorWaitMillis}, {@code inFlightMillis}, {@code attempts}, {@code outcome} (an
   * {@link Outcome.Kind} name), {@code error} (the exception's class name, absent on success),
   * {@code hedgesSent}, {@code hedgesWon} and {@code calls}, call times also relative to the fan-out's start,
   * each call with its {@code attempts}, {@code status} (left out when its last attempt got no response), its
   * split ({@code durationMillis} = {@code clientQueuedMillis} + {@code governorWaitMillis}
   * + {@code inFlightMillis} + {@code betweenAttemptsMillis}), {@code hedgesSent}, {@code hedgesWon},
   * {@code replays} and its requests' {@code askedMillis}, {@code enqueuedMillis}, {@code sentMillis} and
   * {@code endMillis}; a call's or request's time of a phase that did not happen is left out), and {@code governor}
   * ({@link #governor()}: {@code rateLimited}, {@code waitedCalls}, {@code totalWaitMillis},
   * {@code maxWaitMillis}, {@code buckets}).
   */
  public String toJson() {
    return FanoutReportJson.write(this);
  }

  /**
   * Returns a few readable lines: totals, then the slowest inputs. Each wait says what it waited for:
   * {@code queued for maxInFlight} ({@link #clientQueuedTime()}), {@code waited to start for maxConcurrency}
   * (the rest of {@link #queuedTime()}, shown when not zero) and {@code held by the rate-limit governor}
   * ({@link #governorWaitTime()}, shown when not zero).
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    Duration governorWait = governorWaitTime();
    Duration clientQueued = clientQueuedTime();
    Duration toStart = queuedTime().minus(clientQueued);
    long heldCalls = entries.stream().flatMap(e -> e.calls().stream()).filter(c -> c.governorWaitNanos() > 0).count();
    out.append(String.format(Locale.ROOT,
        "FanoutReport{%s: %d inputs, %d ok, %d failed, wall %.3f s, in flight %.3f s, queued for maxInFlight"
            + " %.3f s%s%s, speed-up %.2fx, peak %d in flight%s}",
        combinator, entries.size(), succeeded(), failed(), wallNanos / 1e9, inFlightTime().toNanos() / 1e9,
        clientQueued.toNanos() / 1e9,
        toStart.isZero() ? "" : String.format(Locale.ROOT, ", waited to start for maxConcurrency %.3f s",
            toStart.toNanos() / 1e9),
        governorWait.isZero() ? "" : String.format(Locale.ROOT, ", held by the rate-limit governor %.3f s (%d calls)",
            governorWait.toNanos() / 1e9, heldCalls),
        speedUp(), peakInFlight, finished ? "" : ", running"));
    for (Entry entry : slowest(3)) {
      out.append(String.format(Locale.ROOT, "%n  slowest: #%d %s %.3f s, %d call(s), %d attempt(s), %s%s",
          entry.index(), entry.label(), entry.duration().toNanos() / 1e9, entry.calls().size(), entry.attempts(),
          entry.outcome(),
          entry.errorType() == null ? "" : " " + entry.errorName()));
    }
    return out.toString();
  }
}
