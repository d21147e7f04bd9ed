package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutReport;
import dev.fanout.HedgePolicy;
import dev.fanout.Outcome;
import dev.fanout.common.cli.Ranges;
import dev.fanout.common.cli.Tail;
import dev.fanout.mock.Latency;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.DurationConverter;
import dev.fanout.samples.cli.HedgeAfter;
import dev.fanout.samples.cli.IdRanges;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import dev.fanout.users.User;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A fan-out tool for any users API: looks up many ids ({@code --ids 1-1000,2000}) with a bound on the calls
 * in flight, an optional deadline for the whole run and retries, then prints a summary. Exits with 1 if any
 * lookup failed.
 *
 * <p>Three modes show the three shapes of a fan-out: {@code sequential} (the baseline), {@code all} (every
 * value or the first failure, which cancels the rest) and {@code settle} (one outcome per id, whatever
 * happens).
 *
 * <p>{@code --rounds N} runs the same fan-out N times on one client, {@code --pause} apart, printing a line
 * per round, so cold and warm rounds (and what an idle pause does to kept-alive connections) can be seen;
 * each round is its own mode, {@code round-1} .. {@code round-N}, in {@code --report-json}.
 *
 * <p>{@code --hedge-after 200ms} (or {@code auto}, the route's observed p95) sends a backup of a lookup that
 * has not answered by then, within {@code --hedge-budget} extra requests; with the embedded server's
 * {@code --tail 0.03:3s} the per-call p99 it prints drops from the tail to about the delay plus one answer.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "Look up many users at once with a bound, a deadline and retries; exit 1 if any lookup failed.")
final class UsersSample implements Callable<Integer> {
  /** How the lookups run. */
  enum Mode {
    sequential, all, settle
  }

  static final String DEFAULT_IDS = "1-100";
  static final int DEFAULT_MAX_IN_FLIGHT = 64;
  static final int DEFAULT_RETRIES = 2;
  static final int DEFAULT_ROUNDS = 1;

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Option(names = "--ids", paramLabel = "IDS", converter = IdRanges.Converter.class,
      description = "User ids: ranges and single ids, like 1-1000,2000,3000-3010. Defaults to " + DEFAULT_IDS + ".")
  IdRanges ids = IdRanges.parse(DEFAULT_IDS);

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Most lookups in flight at once. Defaults to " + DEFAULT_MAX_IN_FLIGHT + ".")
  int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

  @Option(names = "--deadline", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Time allowed for the whole run, retries included, like 5s; 0 means none. Defaults to 0.")
  Duration deadline = Duration.ZERO;

  @Option(names = "--retries", paramLabel = "N",
      description = "Retries per lookup after a failed attempt (5xx, 429, network errors). Defaults to " + DEFAULT_RETRIES + ".")
  int retries = DEFAULT_RETRIES;

  @Option(names = "--mode", paramLabel = "MODE",
      description = "sequential (one at a time), all (stop at the first failure) or settle (every outcome). "
          + "Defaults to settle.")
  Mode mode = Mode.settle;

  @Option(names = "--rounds", paramLabel = "N",
      description = "Run the same fan-out N times in one process, each round its own mode (round-1, round-2, ...) "
          + "in --report-json. Defaults to " + DEFAULT_ROUNDS + ".")
  int rounds = DEFAULT_ROUNDS;

  @Option(names = "--pause", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Idle time between rounds, like 1.5s; 0 means none. Defaults to 0.")
  Duration pause = Duration.ZERO;

  @Option(names = "--hedge-after", paramLabel = "DURATION|auto", converter = HedgeAfter.Converter.class,
      description = "Send a backup of a lookup still unanswered after DURATION (like 200ms), or after the route's "
          + "observed p95 (auto); the first answer wins and the other is cancelled. Defaults to none (no hedging).")
  HedgeAfter hedgeAfter;

  @Option(names = "--hedge-budget", paramLabel = "FRACTION",
      description = "Most extra requests hedging may add, as a share of lookups, in (0, 1]. Defaults to 0.1.")
  double hedgeBudget = HedgePolicy.DEFAULT_BUDGET;

  @Option(names = "--tail", paramLabel = "P:DURATION", converter = Tail.Converter.class,
      description = "Embedded server only: a seeded share P of requests take DURATION instead of --latency, "
          + "like 0.03:3s (a heavy latency tail). Defaults to none.")
  Tail tail = Tail.NONE;

  /** Instantiated by picocli, once per run. */
  private UsersSample() {}

  @Override
  public Integer call() {
    Ranges.atLeast(spec, "--max-in-flight", maxInFlight, 1);
    Ranges.atLeast(spec, "--retries", retries, 0);
    Ranges.atLeast(spec, "--rounds", rounds, 1);
    if (pause.isNegative()) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--pause': " + DurationConverter.format(pause) + " < 0");
    }
    if (!(hedgeBudget > 0 && hedgeBudget <= 1)) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--hedge-budget': " + hedgeBudget + " (expected more than 0, at most 1)");
    }
    if (tail.share() > 0 && common.baseUrl() != null) {
      throw new ParameterException(spec.commandLine(),
          "Option '--tail' is for the embedded server only; it cannot be used with --base-url");
    }
    HedgePolicy hedging = hedgeAfter == null ? HedgePolicy.disabled()
        : HedgePolicy.builder().delay(hedgeAfter.delay()).budget(hedgeBudget).build();
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    Latency latency = Latency.builder().delay(common.latency()).tail(tail.share(), tail.delay()).build();
    try (Session session = Session.open(common, latency, dev.fanout.mock.Faults.none(), client -> client
        .maxInFlight(Math.max(FanoutClient.DEFAULT_MAX_IN_FLIGHT, maxInFlight))
        .retryPolicy(Session.retries(retries))
        .hedging(hedging))) {
      List<Long> userIds = ids.ids();
      session.printTarget(out);
      out.printf(Locale.ROOT, "Looking up %d users (%s) in mode %s, at most %d in flight%s, %d retr%s per lookup%s%n",
          userIds.size(), ids, mode, maxInFlight,
          deadline.isZero() ? "" : ", deadline " + DurationConverter.format(deadline), retries, retries == 1 ? "y" : "ies",
          rounds == 1 ? "" : ", " + rounds + " rounds" + (pause.isZero() ? "" : " " + DurationConverter.format(pause) + " apart"));
      if (tail.share() > 0) {
        out.printf(Locale.ROOT, "The embedded server answers %.1f%% of requests after %s instead (--tail)%n",
            100 * tail.share(), DurationConverter.format(tail.delay()));
      }
      if (hedgeAfter != null) {
        out.printf(Locale.ROOT, "Hedging: a backup after %s, at most %.0f%% extra requests%n",
            hedgeAfter.isAuto() ? "the observed p95 (auto)" : hedgeAfter.toString(), 100 * hedgeBudget);
      }
      out.flush();

      List<RunReport.Mode> results = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      Round last = null;
      for (int round = 1; round <= rounds; round++) {
        if (round > 1 && !pause.isZero()) {
          try {
            TimeUnit.NANOSECONDS.sleep(pause.toNanos());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println(style.red("Interrupted during the pause before round " + round));
            break;
          }
        }
        last = runRound(session, userIds, rounds == 1 ? mode.name() : "round-" + round, out);
        results.add(last.result());
        if (last.failure() != null) {
          failures.add((rounds == 1 ? "" : last.result().name() + ": ") + last.failure());
        }
        if (rounds > 1) {
          printRound(out, style, round, last.result(), last.failure());
        }
      }
      if (rounds == 1) {
        printSummary(out, style, last);
      } else {
        printRoundsSummary(out, style, results, failures);
      }
      session.finish("users", results, out);
      out.flush();
      boolean ok = results.size() == rounds && failures.isEmpty() && results.stream().allMatch(r -> r.failed() == 0);
      return ok ? 0 : 1;
    }
  }

  /**
   * What one round of the fan-out did: the report's mode, the SDK's report, the failure that ended it, and in
   * {@code settle} mode the first failed lookup's message per error type (what the type alone does not say:
   * which host, refused or unknown, which status).
   */
  private record Round(RunReport.Mode result, FanoutReport report, String failure, Map<String, String> reasons) {}

  /** Runs the fan-out once, as the flags say, and records it as the mode {@code name}. */
  private Round runRound(Session session, List<Long> userIds, String name, PrintWriter out) {
    FanoutClient client = session.client();
    // The bound and the deadline are the fan-out's options; the deadline covers retries and queueing too.
    FanoutOptions.Builder options = FanoutOptions.builder().maxConcurrency(maxInFlight).labeler(id -> "user " + id);
    if (!deadline.isZero()) {
      options.timeout(deadline);
    }
    Progress progress = new Progress(out, userIds.size());
    Fanout.Task<Long, User> lookup = (id, context) ->
        client.users().withContext(context).getAsync(id).whenComplete((user, error) -> progress.done());

    session.resetStats();
    ModeRecorder recorder = ModeRecorder.start(name);
    FanoutFuture<List<Outcome<User>>> settled = mode == Mode.settle
        ? Fanout.settleAll(userIds, lookup, options.build()) : null;
    FanoutFuture<?> run = switch (mode) {
      case sequential -> Fanout.sequential(userIds, lookup, options.build());
      case all -> Fanout.all(userIds, lookup, options.build());
      case settle -> settled;
    };
    String failure = null;
    Map<String, String> reasons = new TreeMap<>();
    try {
      run.await();
      if (settled != null) {
        for (Outcome<User> outcome : settled.await()) {
          if (!outcome.isSuccess()) {
            reasons.putIfAbsent(outcome.error().getClass().getSimpleName(),
                String.valueOf(outcome.error().getMessage()));
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e.toString();
    }
    recorder.finish();
    FanoutReport report = run.report();
    recorder.add(report, entry -> new ModeRecorder.Input("user " + userIds.get(entry.index()),
        userIds.get(entry.index()), "users"));
    return new Round(recorder.toMode().withServer(session.serverStatsWhenIdle(Duration.ofSeconds(5))), report, failure,
        reasons);
  }

  /** One line per round, for people watching a long run. */
  private static void printRound(PrintWriter out, Style style, int round, RunReport.Mode result, String failure) {
    String counts = String.format(Locale.ROOT, "%d ok, %d failed", result.ok(), result.failed());
    out.printf(Locale.ROOT, "%s %d lookups in %.2f s: %s · peak %d in flight%s%s%n",
        style.bold("Round " + round + ":"), result.calls().size(), result.wallMillis() / 1000.0,
        result.failed() == 0 ? style.green(counts) : style.red(counts), result.peakConcurrency(),
        result.server() == null ? "" : String.format(Locale.ROOT, " · server: %d requests, at most %d at once",
            result.server().requests(), result.server().maxInFlight()),
        failure == null ? "" : " · " + style.red("failed: " + failure));
    out.flush();
  }

  private static void printRoundsSummary(
      PrintWriter out, Style style, List<RunReport.Mode> results, List<String> failures) {
    out.println();
    int ok = results.stream().mapToInt(RunReport.Mode::ok).sum();
    int failed = results.stream().mapToInt(RunReport.Mode::failed).sum();
    long fastest = results.stream().mapToLong(RunReport.Mode::wallMillis).min().orElse(0);
    long slowest = results.stream().mapToLong(RunReport.Mode::wallMillis).max().orElse(0);
    String counts = String.format(Locale.ROOT, "%d ok, %d failed", ok, failed);
    out.printf(Locale.ROOT, "%s %d rounds, %d lookups: %s · fastest round %.2f s, slowest %.2f s%n",
        style.bold("Done:"), results.size(), ok + failed, failed == 0 ? style.green(counts) : style.red(counts),
        fastest / 1000.0, slowest / 1000.0);
    // Failures grouped by type, with a few of the (round, id) pairs that hit each.
    Map<String, List<String>> byOutcome = new TreeMap<>();
    for (RunReport.Mode round : results) {
      for (RunReport.Call call : round.calls()) {
        if (!call.ok()) {
          byOutcome.computeIfAbsent(call.describe(), k -> new ArrayList<>()).add(round.name() + " id " + call.id());
        }
      }
    }
    byOutcome.forEach((outcome, where) -> out.printf(Locale.ROOT, "  %s %d × %s (%s%s)%n",
        style.red("✕"), where.size(), outcome, String.join(", ", where.subList(0, Math.min(8, where.size()))),
        where.size() > 8 ? ", ..." : ""));
    for (String failure : failures) {
      out.println("  " + style.red("The run failed: " + failure));
    }
  }

  private void printSummary(PrintWriter out, Style style, Round round) {
    FanoutReport report = round.report();
    RunReport.Mode result = round.result();
    String failure = round.failure();
    out.println();
    String counts = String.format(Locale.ROOT, "%d ok, %d failed", result.ok(), result.failed());
    out.printf(Locale.ROOT, "%s %d lookups in %.2f s: %s · peak %d in flight · in flight %.2f s (%.1f× overlap)%s%n",
        style.bold("Done:"), result.calls().size(), result.wallMillis() / 1000.0,
        result.failed() == 0 ? style.green(counts) : style.red(counts), result.peakConcurrency(),
        result.inFlightMillis() / 1000.0, result.speedUp(),
        result.queuedMillis() > 0
            ? String.format(Locale.ROOT, " · queued %.2f s for maxInFlight", result.queuedMillis() / 1000.0) : "");
    out.printf(Locale.ROOT, "Per-lookup latency: p50 %.3f s, p99 %.3f s, max %.3f s%n",
        percentile(result, 0.50) / 1000.0, percentile(result, 0.99) / 1000.0, percentile(result, 1.0) / 1000.0);
    if (hedgeAfter != null) {
      int lookups = result.calls().size();
      out.printf(Locale.ROOT, "Hedges: %d sent (%.1f%% extra requests), %d won%n", result.hedgesSent(),
          lookups == 0 ? 0.0 : 100.0 * result.hedgesSent() / lookups, result.hedgesWon());
    }
    if (result.server() != null) {
      out.printf(Locale.ROOT, "The embedded server answered %d requests (retries%s included), at most %d at once%s.%n",
          result.server().requests(), hedgeAfter == null ? "" : " and hedges", result.server().maxInFlight(),
          result.server().aborted() == 0 ? ""
              : String.format(Locale.ROOT, "; %d cut short because the client cancelled them", result.server().aborted()));
    }
    // Failures grouped by type, with a few of the ids that hit each.
    Map<String, List<Long>> byOutcome = new TreeMap<>(result.calls().stream()
        .filter(call -> !call.ok())
        .collect(Collectors.groupingBy(RunReport.Call::describe,
            Collectors.mapping(RunReport.Call::id, Collectors.toList()))));
    byOutcome.forEach((outcome, failedIds) -> {
      out.printf(Locale.ROOT, "  %s %d × %s (ids %s%s)%n",
          style.red("✕"), failedIds.size(), outcome,
          failedIds.stream().limit(8).map(String::valueOf).collect(Collectors.joining(", ")),
          failedIds.size() > 8 ? ", ..." : "");
      String reason = round.reasons().get(outcome);
      if (reason != null) {
        out.println("      first: " + reason);
      }
    });
    if (failure != null) {
      out.println("  " + style.red("The run failed: " + failure));
    }
    for (FanoutReport.Entry slow : report.slowest(3)) {
      out.printf(Locale.ROOT, "  slowest: %s %.3f s, %d attempt%s, %s%n", slow.label(),
          slow.duration().toNanos() / 1e9, slow.attempts(), slow.attempts() == 1 ? "" : "s",
          slow.errorType() == null ? slow.outcome() : slow.errorName());
    }
  }

  /** Returns the {@code p} quantile (nearest rank) of the started lookups' own times, in milliseconds. */
  static long percentile(RunReport.Mode mode, double p) {
    long[] times = mode.calls().stream().filter(RunReport.Call::started)
        .mapToLong(c -> c.endMillis() - c.startMillis()).sorted().toArray();
    if (times.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * times.length) - 1;
    return times[Math.max(0, Math.min(times.length - 1, rank))];
  }

  /** Prints a progress line at every tenth of a long run (100 lookups or more). */
  private static final class Progress {
    private final PrintWriter out;
    private final int total;
    private final AtomicInteger finished = new AtomicInteger();
    private final long start = System.nanoTime();

    Progress(PrintWriter out, int total) {
      this.out = out;
      this.total = total;
    }

    void done() {
      int n = finished.incrementAndGet();
      if (total >= 100 && n % Math.max(1, total / 10) == 0 && n < total) {
        synchronized (out) {
          out.printf(Locale.ROOT, "  %3d%%  %d of %d done after %.2f s%n",
              100L * n / total, n, total, (System.nanoTime() - start) / 1e9);
          out.flush();
        }
      }
    }
  }
}
