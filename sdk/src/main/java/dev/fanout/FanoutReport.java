package dev.fanout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one fan-out did: its wall time, one entry per input (when it started and ended relative to the
 * fan-out's start, attempts, outcome, and the HTTP calls it made), the sum of the inputs' own times, the
 * speed-up that concurrency bought (sum / wall) and the peak number of inputs in flight at once.
 *
 * <p>Entries are in input order; an input the fan-out never started (it was decided or cancelled first)
 * has a start and end of {@code -1} and the outcome {@link Outcome.Kind#CANCELLED}.
 */
public final class FanoutReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String combinator;
  private final long startNanoTime;
  private final long wallNanos;
  private final boolean finished;
  private final int peakConcurrency;
  private final List<Entry> entries;
  private final GovernorReport governor;

  FanoutReport(
      String combinator,
      long startNanoTime,
      long wallNanos,
      boolean finished,
      int peakConcurrency,
      List<Entry> entries) {
    this(combinator, startNanoTime, wallNanos, finished, peakConcurrency, entries, GovernorReport.NONE);
  }

  FanoutReport(
      String combinator,
      long startNanoTime,
      long wallNanos,
      boolean finished,
      int peakConcurrency,
      List<Entry> entries,
      GovernorReport governor) {
    this.governor = Objects.requireNonNull(governor, "governor == null");
    this.combinator = combinator;
    this.startNanoTime = startNanoTime;
    this.wallNanos = wallNanos;
    this.finished = finished;
    this.peakConcurrency = peakConcurrency;
    this.entries = List.copyOf(entries);
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

    /** Returns how long the input ran, zero if it never started or is still running. */
    public Duration duration() {
      return started() && endNanos >= startNanos ? Duration.ofNanos(endNanos - startNanos) : Duration.ZERO;
    }
  }

  /** Returns the combinator that ran: {@code "all"}, {@code "settleAll"}, {@code "sequential"} and so on. */
  public String combinator() {
    return combinator;
  }

  /** Returns the {@link System#nanoTime()} at which the fan-out started, to relate {@link CallTrace} times. */
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

  /** Returns the sum of every input's own running time: what running them one after another would cost. */
  public Duration sumOfCallTimes() {
    long sum = 0;
    for (Entry entry : entries) {
      sum += entry.duration().toNanos();
    }
    return Duration.ofNanos(sum);
  }

  /** Returns {@link #sumOfCallTimes()} divided by {@link #wall()}: how much concurrency saved. */
  public double speedUp() {
    return wallNanos <= 0 ? 0.0 : (double) sumOfCallTimes().toNanos() / wallNanos;
  }

  /** Returns the most inputs that were in flight at the same time. */
  /**
   * Returns what the client's rate-limit governor did for this fan-out: the 429s its attempts got, how long
   * its calls waited for admission, and the limits of the buckets they went to (what the governor
   * converged to).
   */
  public GovernorReport governor() {
    return governor;
  }

  public int peakConcurrency() {
    return peakConcurrency;
  }

  public int succeeded() {
    return (int) entries.stream().filter(Entry::ok).count();
  }

  public int failed() {
    return entries.size() - succeeded();
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
   * Returns this report as JSON: {@code combinator}, {@code wallMillis}, {@code sumMillis}, {@code speedUp},
   * {@code peakConcurrency}, {@code ok}, {@code failed} and {@code entries} (each with {@code index},
   * {@code label}, {@code startMillis}, {@code endMillis}, {@code attempts}, {@code outcome} (an
   * {@link Outcome.Kind} name), {@code error} (the exception's class name, absent on success) and
   * {@code calls}, call times also relative to the fan-out's start, each with its
   * {@code governorWaitMillis}), and {@code governor} ({@link #governor()}: {@code rateLimited},
   * {@code waitedCalls}, {@code totalWaitMillis}, {@code maxWaitMillis}, {@code buckets}).
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("combinator", combinator);
    root.put("finished", finished);
    root.put("wallMillis", millis(wallNanos));
    root.put("sumMillis", millis(sumOfCallTimes().toNanos()));
    root.put("speedUp", Math.round(speedUp() * 100) / 100.0);
    root.put("peakConcurrency", peakConcurrency);
    root.put("ok", succeeded());
    root.put("failed", failed());
    ObjectNode gov = root.putObject("governor");
    gov.put("rateLimited", governor.rateLimited());
    gov.put("waitedCalls", governor.waitedCalls());
    gov.put("totalWaitMillis", millis(governor.totalWait().toNanos()));
    gov.put("maxWaitMillis", millis(governor.maxWait().toNanos()));
    ArrayNode govBuckets = gov.putArray("buckets");
    for (GovernorReport.Bucket b : governor.buckets()) {
      ObjectNode bn = govBuckets.addObject();
      bn.put("host", b.host());
      bn.put("bucket", b.name());
      if (b.concurrencyLimit().isPresent()) {
        bn.put("concurrencyLimit", b.concurrencyLimit().getAsInt());
      }
      bn.put("rateLimited", b.rateLimited());
      bn.put("admitted", b.admitted());
      ArrayNode limits = bn.putArray("limits");
      for (GovernorReport.Limit l : b.limits()) {
        ObjectNode ln = limits.addObject();
        ln.put("dimension", l.dimension().name());
        ln.put("limit", l.limit());
        ln.put("ratePerSecond", Math.round(l.ratePerSecond() * 100) / 100.0);
      }
    }
    ArrayNode list = root.putArray("entries");
    for (Entry entry : entries) {
      ObjectNode node = list.addObject();
      node.put("index", entry.index());
      node.put("label", entry.label());
      node.put("startMillis", entry.started() ? millis(entry.startNanos()) : -1);
      node.put("endMillis", entry.endNanos() >= 0 ? millis(entry.endNanos()) : -1);
      node.put("attempts", entry.attempts());
      node.put("outcome", entry.outcome().name());
      if (entry.errorType() != null) {
        node.put("error", entry.errorType().getName());
      }
      ArrayNode calls = node.putArray("calls");
      for (CallTrace call : entry.calls()) {
        ObjectNode c = calls.addObject();
        c.put("label", call.label());
        c.put("startMillis", relativeMillis(call.startNanos()));
        c.put("connectedMillis", relativeMillis(call.connectedNanos()));
        c.put("firstByteMillis", relativeMillis(call.firstByteNanos()));
        c.put("endMillis", relativeMillis(call.endNanos()));
        c.put("attempts", call.attempts());
        c.put("status", call.statusCode());
        c.put("governorWaitMillis", millis(call.governorWaitNanos()));
        c.put("outcome", call.outcome().name());
        if (call.errorType() != null) {
          c.put("error", call.errorType().getName());
        }
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write report", e);
    }
  }

  private double relativeMillis(long nanoTime) {
    return nanoTime < 0 ? -1 : millis(nanoTime - startNanoTime);
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  /** Returns a few readable lines: totals, then the slowest inputs. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "FanoutReport{%s: %d inputs, %d ok, %d failed, wall %.3f s, sum %.3f s, speed-up %.2fx, peak %d in flight%s}",
        combinator, entries.size(), succeeded(), failed(), wallNanos / 1e9,
        sumOfCallTimes().toNanos() / 1e9, speedUp(), peakConcurrency, finished ? "" : ", running"));
    for (Entry entry : slowest(3)) {
      out.append(String.format(Locale.ROOT, "%n  slowest: #%d %s %.3f s, %d attempt(s), %s%s",
          entry.index(), entry.label(), entry.duration().toNanos() / 1e9, entry.attempts(), entry.outcome(),
          entry.errorType() == null ? "" : " " + entry.errorName()));
    }
    return out.toString();
  }
}
