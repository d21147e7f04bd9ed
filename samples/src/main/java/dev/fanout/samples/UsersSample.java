package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutReport;
import dev.fanout.samples.cli.Ranges;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.DurationConverter;
import dev.fanout.samples.cli.IdRanges;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import dev.fanout.users.User;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

  /** Instantiated by picocli, once per run. */
  private UsersSample() {}

  @Override
  public Integer call() {
    Ranges.atLeast(spec, "--max-in-flight", maxInFlight, 1);
    Ranges.atLeast(spec, "--retries", retries, 0);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    try (Session session = Session.open(common, dev.fanout.mock.Faults.none(), client -> client
        .maxInFlight(Math.max(FanoutClient.DEFAULT_MAX_IN_FLIGHT, maxInFlight))
        .retryPolicy(Session.retries(retries)))) {
      FanoutClient client = session.client();
      List<Long> userIds = ids.ids();
      session.printTarget(out);
      out.printf(Locale.ROOT, "Looking up %d users (%s) in mode %s, at most %d in flight%s, %d retr%s per lookup%n",
          userIds.size(), ids, mode, maxInFlight,
          deadline.isZero() ? "" : ", deadline " + DurationConverter.format(deadline), retries, retries == 1 ? "y" : "ies");
      out.flush();

      // The bound and the deadline are the fan-out's options; the deadline covers retries and queueing too.
      FanoutOptions.Builder options = FanoutOptions.builder().maxConcurrency(maxInFlight).labeler(id -> "user " + id);
      if (!deadline.isZero()) {
        options.timeout(deadline);
      }
      Progress progress = new Progress(out, userIds.size());
      Function<Long, CompletableFuture<User>> lookup =
          id -> client.users().getAsync(id).whenComplete((user, error) -> progress.done());

      session.resetStats();
      ModeRecorder recorder = ModeRecorder.start(mode.name());
      FanoutFuture<?> run = switch (mode) {
        case sequential -> Fanout.sequential(userIds, lookup, options.build());
        case all -> Fanout.all(userIds, lookup, options.build());
        case settle -> Fanout.settleAll(userIds, lookup, options.build());
      };
      String failure = null;
      try {
        run.await();
      } catch (RuntimeException e) {
        failure = e.toString();
      }
      recorder.finish();
      FanoutReport report = run.report();
      recorder.add(report, entry -> new ModeRecorder.Input("user " + userIds.get(entry.index()),
          userIds.get(entry.index()), "users"));
      RunReport.Mode result = recorder.toMode();
      result = result.withServer(session.serverStats());

      printSummary(out, style, report, result, failure);
      session.finish("users", List.of(result), out);
      out.flush();
      return result.failed() == 0 && failure == null ? 0 : 1;
    }
  }

  private void printSummary(PrintWriter out, Style style, FanoutReport report, RunReport.Mode result, String failure) {
    out.println();
    String counts = String.format(Locale.ROOT, "%d ok, %d failed", result.ok(), result.failed());
    out.printf(Locale.ROOT, "%s %d lookups in %.2f s: %s · peak %d in flight · sum of call times %.2f s (%.1f× overlap)%n",
        style.bold("Done:"), result.calls().size(), result.wallMillis() / 1000.0,
        result.failed() == 0 ? style.green(counts) : style.red(counts), result.peakConcurrency(),
        result.sumMillis() / 1000.0, result.speedUp());
    if (result.server() != null) {
      out.printf(Locale.ROOT, "The embedded server answered %d requests (retries included), at most %d at once.%n",
          result.server().requests(), result.server().maxInFlight());
    }
    // Failures grouped by type, with a few of the ids that hit each.
    Map<String, List<Long>> byOutcome = new TreeMap<>(result.calls().stream()
        .filter(call -> !call.ok())
        .collect(Collectors.groupingBy(RunReport.Call::describe,
            Collectors.mapping(RunReport.Call::id, Collectors.toList()))));
    byOutcome.forEach((outcome, failedIds) -> out.printf(Locale.ROOT, "  %s %d × %s (ids %s%s)%n",
        style.red("✕"), failedIds.size(), outcome,
        failedIds.stream().limit(8).map(String::valueOf).collect(Collectors.joining(", ")),
        failedIds.size() > 8 ? ", ..." : ""));
    if (failure != null) {
      out.println("  " + style.red("The run failed: " + failure));
    }
    for (FanoutReport.Entry slow : report.slowest(3)) {
      out.printf(Locale.ROOT, "  slowest: %s %.3f s, %d attempt%s, %s%n", slow.label(),
          slow.duration().toNanos() / 1e9, slow.attempts(), slow.attempts() == 1 ? "" : "s",
          slow.errorType() == null ? slow.outcome() : slow.errorName());
    }
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
