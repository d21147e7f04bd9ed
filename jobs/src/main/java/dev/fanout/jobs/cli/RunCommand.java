package dev.fanout.jobs.cli;

import dev.fanout.FanoutClient;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.cli.Ranges;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.jobs.InvalidInputException;
import dev.fanout.jobs.JobConfigurationException;
import dev.fanout.jobs.Job;
import dev.fanout.jobs.JobInput;
import dev.fanout.jobs.JobSummary;
import dev.fanout.jobs.internal.LineParser;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code run}: every request of the input sent in real time, governed by the limits the provider publishes,
 * each result appended to the output as it completes; the same command after a crash or Ctrl-C sends only
 * what the output lacks.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {"Send every request of --input (OpenAI Batch JSONL) now, paced to the limits the API publishes, "
        + "and append each result to --output (OpenAI Batch output JSONL) as it completes.",
        "Rerun the same command after a crash or Ctrl-C: only requests whose custom_id is not in --output are sent.",
        "A refused connection, an unknown host, an untrusted certificate or an HTTP 401 stops the run: no result is "
            + "written for the requests that failed that way, so the rerun sends them.",
        "Exit status: 0 all ok, 1 some failed or the run failed, 2 bad usage or input, 130 stopped by Ctrl-C "
            + "(143 by SIGTERM)."})
final class RunCommand implements Callable<Integer> {
  static final Duration DEFAULT_PLAIN_PROGRESS_EVERY = Duration.ofSeconds(10);
  /** The exit status of a run stopped with requests left (after a signal the JVM exits with 128 + its number). */
  static final int EXIT_STOPPED = 130;

  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions api;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "Requests, one a line: {\"custom_id\", \"method\", \"url\", \"body\"}; - for standard input "
          + "(checked line by line as read, not before).")
  String input;

  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "Results, one a line, appended; created if missing, resumed if not.")
  Path output;

  @Option(names = "--max-requests-per-minute", paramLabel = "N",
      description = "Optional ceiling below the API's own limit (which is learnt from its headers). "
          + "Defaults to 0: none.")
  long maxRequestsPerMinute;

  @Option(names = "--max-tokens-per-minute", paramLabel = "N",
      description = "Optional token ceiling below the API's own limit. Defaults to 0: none.")
  long maxTokensPerMinute;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Most requests in flight at once. Defaults to " + FanoutClient.DEFAULT_MAX_IN_FLIGHT + ".")
  int maxInFlight = FanoutClient.DEFAULT_MAX_IN_FLIGHT;

  @Option(names = "--grace-period", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "After Ctrl-C, time the requests in flight get to complete. Defaults to 30s.")
  Duration gracePeriod = Job.DEFAULT_GRACE_PERIOD;

  @Option(names = "--report-json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path reportJson;

  @Option(names = "--progress", paramLabel = "auto|live|plain|none",
      description = "Progress: a live line on a terminal, a plain line every 10 s otherwise. Defaults to auto.")
  String progress = "auto";

  private RunCommand() {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Ranges.atLeast(spec, "--max-requests-per-minute", maxRequestsPerMinute, 0);
    Ranges.atLeast(spec, "--max-tokens-per-minute", maxTokensPerMinute, 0);
    Ranges.atLeast(spec, "--max-in-flight", maxInFlight, 1);
    boolean live = switch (progress) {
      case "auto" -> ProgressPrinter.terminal();
      case "live" -> true;
      case "plain", "none" -> false;
      default -> throw new ParameterException(spec.commandLine(), "Invalid value for option '--progress': '"
          + progress + "' (expected auto, live, plain or none)");
    };
    ProgressPrinter printer = new ProgressPrinter(out, live,
        progress.equals("none") ? Duration.ofDays(365) : DEFAULT_PLAIN_PROGRESS_EVERY);
    if (!input.equals("-")) {
      Optional<String> unreadable = InputFiles.unreadable(Path.of(input));
      if (unreadable.isPresent()) {
        err.println("fanout-jobs run: " + unreadable.get());
        err.flush();
        return 2;
      }
    }
    JobInput in = input.equals("-")
        ? JobInput.of("<stdin>", new InputStreamReader(System.in, StandardCharsets.UTF_8))
        : JobInput.of(Path.of(input));
    CountDownLatch reported = new CountDownLatch(1);
    AtomicInteger decided = new AtomicInteger(EXIT_STOPPED);
    try (FanoutClient client = api.client().maxInFlight(maxInFlight).build()) {
      Job job = Job.builder().input(in).output(output).listener(printer).gracePeriod(gracePeriod)
          .maxRequestsPerMinute(maxRequestsPerMinute).maxTokensPerMinute(maxTokensPerMinute).build();
      Thread hook = new Thread(() -> {
        printer.finish();
        err.println("Stopping: no more requests; " + gracePeriod.toSeconds() + " s for those in flight "
            + "(the output stays resumable; kill -9 to quit now)");
        err.flush();
        try {
          job.stop(gracePeriod.plusSeconds(10));
          if (reported.await(5, TimeUnit.SECONDS) && decided.get() != EXIT_STOPPED) {
            // The JVM exits with 128 + the signal's number whatever the main thread returns; a run that the
            // signal did not cut short (nothing was left, or it failed) exits as it would have without it.
            Runtime.getRuntime().halt(decided.get());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "fanout-jobs-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      JobSummary summary;
      try {
        summary = job.run(client);
      } catch (InvalidInputException e) {
        printer.finish();
        err.println("fanout-jobs run: " + e.getMessage());
        err.flush();
        decided.set(2);
        return 2;
      } catch (JobConfigurationException e) {
        printer.finish();
        print(e.summary(), out);
        out.flush();
        err.println("fanout-jobs run stopped: " + e.getMessage() + flagHint(e.getCause()));
        err.println("No result was written for the " + e.notWritten() + " requests that failed this way; fix it and "
            + "run the same command again to send every request not in " + output + ".");
        err.flush();
        decided.set(1);
        return 1;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it waits for this run to return
        }
      }
      printer.finish();
      print(summary, out);
      if (reportJson != null) {
        Files.writeString(reportJson, LineParser.MAPPER.writerWithDefaultPrettyPrinter()
            .writeValueAsString(summary.toJson()) + "\n");
      }
      out.flush();
      decided.set(summary.stopped() ? EXIT_STOPPED : summary.failed() == 0 ? 0 : 1);
      return decided.get();
    } finally {
      reported.countDown();
    }
  }

  /** The flags that set what a {@link JobConfigurationException} says to check. */
  private static String flagHint(Throwable cause) {
    return cause instanceof UnauthorizedException ? " (--api-key, else $OPENAI_API_KEY)" : " (--base-url)";
  }

  static void print(JobSummary s, PrintWriter out) {
    out.printf(Locale.ROOT, "%d requests: %d ok, %d failed, %d already in the output%s%n", s.total(), s.ok(),
        s.failed(), s.skipped(), s.stopped() ? " (stopped: rerun to finish)" : "");
    s.firstFailure().ifPresent(f -> out.printf(Locale.ROOT, "first failure: %s: %s%n", f.customId(),
        f.failure().orElse("")));
    out.printf(Locale.ROOT, "wall %.2f s, %d attempts, %d 429s, tokens %d in, %d out%n", s.wall().toNanos() / 1e9,
        s.attempts(), s.rateLimited(), s.inputTokens(), s.outputTokens());
    if (s.quotaMinimum().isPresent()) {
      StringBuilder limits = new StringBuilder();
      s.requestsPerMinute().ifPresent(r -> limits.append(r).append(" requests/min"));
      s.tokensPerMinute().ifPresent(t -> limits.append(limits.length() > 0 ? ", " : "").append(t).append(" tokens/min"));
      out.printf(Locale.ROOT, "quota minimum %.2f s (%s published), wall / minimum %.2f%n",
          s.quotaMinimum().get().toNanos() / 1e9, limits, s.wallOverQuotaMinimum().orElse(0.0));
    }
  }

}
