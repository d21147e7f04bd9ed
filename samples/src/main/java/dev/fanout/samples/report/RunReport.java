package dev.fanout.samples.report;

import dev.fanout.Outcome;
import dev.fanout.common.Intervals;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one run of a sample did, as written by {@code --report-json} and drawn by {@code --timeline}: the
 * command, where its calls went, and one {@link Mode} per way of running them. The schema is documented in
 * {@code docs/samples.md}; fields are only ever added, and {@link #SCHEMA_VERSION} changes if one changes
 * meaning.
 */
@JsonPropertyOrder({"schemaVersion", "command", "baseUrl", "embedded", "latencyMillis", "modes"})
public record RunReport(
    int schemaVersion,
    String command,
    String baseUrl,
    boolean embedded,
    Long latencyMillis,
    List<Mode> modes) {

  // 2: calls[].outcome is a typed kind, the failure type moved to calls[].error.
  // 3: speedUp is in-flight time over wall time and peakConcurrency counts requests sent and unanswered (both
  //    counted time queued for maxInFlight before); added modes[].inFlightMillis, queuedMillis, calls[].sentMillis,
  //    inFlightMillis.
  public static final int SCHEMA_VERSION = 3;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RunReport {
    Objects.requireNonNull(command, "command == null");
    Objects.requireNonNull(baseUrl, "baseUrl == null");
    modes = List.copyOf(modes);
  }

  public static RunReport of(String command, String baseUrl, boolean embedded, Long latencyMillis, List<Mode> modes) {
    return new RunReport(SCHEMA_VERSION, command, baseUrl, embedded, latencyMillis, modes);
  }

  /** Returns the mode called {@code name}; throws if there is none. */
  public Mode mode(String name) {
    return modes.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no mode " + name + " in " + command + " report"));
  }

  /** One way of running the calls ({@code sequential}, {@code concurrent}, {@code fan-out}, ...). */
  @JsonPropertyOrder({"name", "wallMillis", "sumMillis", "inFlightMillis", "queuedMillis", "speedUp",
      "peakConcurrency", "ok", "failed", "server", "hedgesSent", "hedgesWon", "calls", "governor"})
  public record Mode(
      String name,
      long wallMillis,
      long sumMillis,
      long inFlightMillis,
      long queuedMillis,
      double speedUp,
      int peakConcurrency,
      int ok,
      int failed,
      Server server,
      List<Call> calls,
      int hedgesSent,
      int hedgesWon,
      GovernorSummary governor) {
    public Mode {
      Objects.requireNonNull(name, "name == null");
      calls = List.copyOf(calls);
    }

    /** A mode whose hedge counts are its calls', with no governor summary. */
    public Mode(String name, long wallMillis, long sumMillis, long inFlightMillis, long queuedMillis, double speedUp,
        int peakConcurrency, int ok, int failed, Server server, List<Call> calls) {
      this(name, wallMillis, sumMillis, inFlightMillis, queuedMillis, speedUp, peakConcurrency, ok, failed, server,
          calls, calls.stream().mapToInt(Call::hedgesSent).sum(), calls.stream().mapToInt(Call::hedgesWon).sum(),
          null);
    }

    /** Returns this mode with what the rate-limit governor did during it. */
    public Mode withGovernor(GovernorSummary governor) {
      return new Mode(name, wallMillis, sumMillis, inFlightMillis, queuedMillis, speedUp, peakConcurrency, ok,
          failed, server, calls, hedgesSent, hedgesWon, governor);
    }

    /**
     * Builds a mode from its calls: the sum of their times, their time in flight and queued, the speed-up (in
     * flight / wall), the peak in flight (from each call's first send to its end) and counts are derived.
     */
    public static Mode of(String name, long wallMillis, List<Call> calls) {
      long sum = 0;
      long inFlight = 0;
      long queued = 0;
      int ok = 0;
      for (Call call : calls) {
        if (call.started()) {
          sum += call.endMillis() - call.startMillis();
          inFlight += call.inFlightMillis() != null ? call.inFlightMillis() : call.endMillis() - call.startMillis();
          queued += call.queuedMillis();
        }
        if (call.ok()) {
          ok++;
        }
      }
      double speedUp = wallMillis <= 0 ? 0.0 : Math.round(100.0 * inFlight / wallMillis) / 100.0;
      return new Mode(name, wallMillis, sum, inFlight, queued, speedUp, peak(calls), ok, calls.size() - ok, null,
          calls);
    }

    /** Returns this mode with what the embedded server saw during it. */
    public Mode withServer(Server server) {
      return new Mode(name, wallMillis, sumMillis, inFlightMillis, queuedMillis, speedUp, peakConcurrency, ok,
          failed, server, calls, hedgesSent, hedgesWon, governor);
    }

    /** The most calls in flight at once, each from its first send to its end. */
    private static int peak(List<Call> calls) {
      Intervals inFlight = new Intervals();
      for (Call call : calls) {
        if (call.started() && !call.neverSent()) {
          inFlight.add(call.sentMillis() != null ? call.sentMillis() : call.startMillis(), call.endMillis());
        }
      }
      return inFlight.maxOverlap();
    }
  }

  /**
   * What the embedded mock server counted during one mode ({@code null} with {@code --base-url}): the HTTP
   * requests that reached it (retries and hedges included), the most it had in flight at once, and the
   * responses it cut short because the client went away ({@code aborted}: with hedging, the losers
   * cancelled at the socket).
   */
  @JsonPropertyOrder({"requests", "maxInFlight", "aborted"})
  public record Server(long requests, int maxInFlight, long aborted) {
    /** What a server counted that cut no response short. */
    public Server(long requests, int maxInFlight) {
      this(requests, maxInFlight, 0);
    }
  }

  /**
   * One logical call: what it was ({@code label}, the user {@code id} if it has one), which {@code lane} of
   * the timeline it belongs to (a chain, an agent, a retriever), when it ran relative to the mode's start
   * ({@code -1} if it never started), how many HTTP attempts it took, its {@code outcome} (an
   * {@link Outcome.Kind}: {@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED}, {@code TIMED_OUT}) and, unless
   * it succeeded, the simple name of the failure's exception type as {@code error}. {@code sentMillis} is when
   * its first request left the client's queue (it waited there while {@code maxInFlight} requests were in
   * flight) and {@code inFlightMillis} how long its requests were sent and unanswered; both {@code null} when
   * unknown (no request went out through the SDK). {@code hedgesSent} and {@code hedgesWon} count its backup
   * requests and whether one was the response taken (0 without hedging).
   */
  @JsonPropertyOrder({"label", "id", "lane", "startMillis", "sentMillis", "endMillis", "inFlightMillis", "attempts",
      "outcome", "error", "hedgesSent", "hedgesWon", "governorWaitMillis"})
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record Call(
      String label, Long id, String lane, long startMillis, Long sentMillis, long endMillis, Long inFlightMillis,
      int attempts, Outcome.Kind outcome, String error, int hedgesSent, int hedgesWon, long governorWaitMillis) {
    public Call {
      Objects.requireNonNull(label, "label == null");
      Objects.requireNonNull(lane, "lane == null");
      Objects.requireNonNull(outcome, "outcome == null");
      if (governorWaitMillis < 0) {
        throw new IllegalArgumentException("governorWaitMillis < 0: " + governorWaitMillis);
      }
    }

    /** A call whose send and in-flight times are unknown, with its governor wait. */
    public Call(String label, Long id, String lane, long startMillis, long endMillis, int attempts,
        Outcome.Kind outcome, String error, long governorWaitMillis) {
      this(label, id, lane, startMillis, null, endMillis, null, attempts, outcome, error, 0, 0, governorWaitMillis);
    }

    /** A call that sent no hedges and never waited for the rate-limit governor. */
    public Call(String label, Long id, String lane, long startMillis, Long sentMillis, long endMillis,
        Long inFlightMillis, int attempts, Outcome.Kind outcome, String error) {
      this(label, id, lane, startMillis, sentMillis, endMillis, inFlightMillis, attempts, outcome, error, 0, 0, 0);
    }

    /** A call whose send and in-flight times are unknown, that sent no hedges and never waited. */
    public Call(String label, Long id, String lane, long startMillis, long endMillis, int attempts,
        Outcome.Kind outcome, String error) {
      this(label, id, lane, startMillis, null, endMillis, null, attempts, outcome, error, 0, 0, 0);
    }

    /**
     * Returns how long it waited in the client's queue for a {@code maxInFlight} slot before its first request
     * went out: its wait before it was sent, less its wait for the rate-limit governor (0 if unknown).
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public long queuedMillis() {
      return started() && sentMillis != null
          ? Math.max(0, Math.min(sentMillis, endMillis) - startMillis - governorWaitMillis) : 0;
    }

    /** Returns true if it is known to have sent no request (it ended waiting for the governor or queued). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean neverSent() {
      return sentMillis == null && inFlightMillis != null && inFlightMillis == 0;
    }

    public boolean ok() {
      return outcome == Outcome.Kind.SUCCEEDED;
    }

    /** Returns the error type's simple name, or the outcome's name when there is none. */
    public String describe() {
      return error != null ? error : outcome.name();
    }

    public boolean started() {
      return startMillis >= 0 && endMillis >= startMillis;
    }
  }

  /**
   * What the client's rate-limit governor did during one mode ({@code null} for a mode that reports none):
   * the 429s its attempts got, how many calls waited and how long, and the limits of each bucket the
   * governor paced to by the end (what it converged to). See {@link dev.fanout.GovernorReport}.
   */
  @JsonPropertyOrder({"rateLimited", "waitedCalls", "totalWaitMillis", "maxWaitMillis", "buckets"})
  public record GovernorSummary(int rateLimited, int waitedCalls, long totalWaitMillis, long maxWaitMillis,
      List<GovernedBucket> buckets) {
    public GovernorSummary {
      buckets = List.copyOf(buckets);
    }

    /** Summarises a fan-out's {@link dev.fanout.GovernorReport}. */
    public static GovernorSummary of(dev.fanout.GovernorReport g) {
      List<GovernedBucket> list = new java.util.ArrayList<>();
      for (dev.fanout.GovernorReport.Bucket b : g.buckets()) {
        List<GovernedLimit> limits = new java.util.ArrayList<>();
        for (dev.fanout.GovernorReport.Limit l : b.limits()) {
          limits.add(new GovernedLimit(l.dimension().name(), l.limit(), Math.round(l.ratePerSecond() * 100) / 100.0));
        }
        list.add(new GovernedBucket(b.host(), b.name(),
            b.concurrencyLimit().isPresent() ? b.concurrencyLimit().getAsInt() : null, b.rateLimited(), limits));
      }
      return new GovernorSummary(g.rateLimited(), g.waitedCalls(), g.totalWait().toMillis(), g.maxWait().toMillis(),
          list);
    }
  }

  /** One bucket the governor admitted a mode's calls to; {@code concurrencyLimit} is absent while uncapped. */
  @JsonPropertyOrder({"host", "bucket", "concurrencyLimit", "rateLimited", "limits"})
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record GovernedBucket(String host, String bucket, Integer concurrencyLimit, long rateLimited,
      List<GovernedLimit> limits) {
    public GovernedBucket {
      limits = List.copyOf(limits);
    }
  }

  /** A published limit as the governor paced it: {@code REQUESTS} or {@code TOKENS}, the quota, the pace. */
  @JsonPropertyOrder({"dimension", "limit", "ratePerSecond"})
  public record GovernedLimit(String dimension, long limit, double ratePerSecond) {}

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes this report to {@code file} as JSON, creating parent directories. */
  public void writeTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, toJson() + System.lineSeparator());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report to " + file, e);
    }
  }

  public static RunReport read(Path file) {
    try {
      return JSON.readValue(file.toFile(), RunReport.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report " + file, e);
    }
  }
}
