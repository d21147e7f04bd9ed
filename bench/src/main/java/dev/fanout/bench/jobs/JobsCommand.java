package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.ChildJvms;
import dev.fanout.bench.Markdown;
import dev.fanout.bench.MockProcess;
import dev.fanout.bench.ProcFiles;
import dev.fanout.bench.cli.JavaOption;
import dev.fanout.bench.cli.MaxTokensOption;
import dev.fanout.bench.harness.Machines;
import dev.fanout.common.Quotas;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.cli.Ranges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The jobs benchmark: {@code fanout-jobs run} with its defaults, as a user runs it, on a file of chat
 * requests against the mock in its own JVM, side by side with other ways to run the same file.
 *
 * <ul>
 *   <li>{@code metered} (default): {@code --n} requests against the mock metered at {@code --rpm} (a token
 *       bucket one second deep, {@code x-ratelimit-*} headers, 429 with {@code retry-after-ms}) with
 *       {@code --latency}, once per client of {@code --clients}, each in its own process against a fresh mock;
 *       reports per client ok, failed, whether each request is in its results exactly once, the requests the
 *       mock received and the 429s it answered, wall, and wall ÷ the quota's minimum; and for fanout-jobs the
 *       targets (all ok, at most 1% 429s, at most 1.05 × the minimum). A client that cannot run here is
 *       skipped with a note saying why.
 *   <li>{@code memory}: {@code --n} requests (say 1,000,000) against an unmetered mock with no latency, the
 *       CLI under {@code --xmx}; samples the CLI's resident set every {@code --sample-every} and reports
 *       whether it stayed flat after the first minute (its peak then at most 10% over its size at one minute).
 * </ul>
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Jobs benchmark: fanout-jobs run on a JSONL file against the mock (metered, side by side with the "
        + "OpenAI cookbook script and the official Python client; or for memory).")
public final class JobsCommand implements Callable<Integer> {
  /** Where the cookbook script is published (MIT license). */
  static final String COOKBOOK_SCRIPT_URL =
      "https://raw.githubusercontent.com/openai/openai-cookbook/main/examples/api_request_parallel_processor.py";

  @Spec
  CommandSpec spec;

  @Option(names = "--mode", defaultValue = "metered", description = "metered or memory. Defaults to ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = "--clients", split = ",", converter = JobsClient.Converter.class,
      defaultValue = "fanout-jobs,cookbook,openai-python",
      description = "The rows of the metered mode, in order: fanout-jobs, cookbook, openai-python. "
          + "Defaults to ${DEFAULT-VALUE}.")
  List<JobsClient> clients;

  @Option(names = "--n", defaultValue = "10000", description = "Requests in the file. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Option(names = "--latency", defaultValue = "500ms", converter = DurationConverter.class,
      description = "Backend latency per admitted request (metered mode; memory uses 0). Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--rpm", defaultValue = "6000",
      description = "Requests per minute the mock admits (metered mode); the cookbook row is told the same figure. "
          + "Defaults to ${DEFAULT-VALUE}.")
  long rpm;

  @Mixin
  MaxTokensOption maxTokens;

  @Option(names = "--python", defaultValue = "/usr/bin/python3",
      description = "The Python of the cookbook row (needs aiohttp) and the openai-python row (needs openai). "
          + "Defaults to ${DEFAULT-VALUE}.")
  String python;

  @Option(names = "--cookbook-script", defaultValue = "bench/scripts/cookbook/api_request_parallel_processor.py",
      description = "OpenAI's cookbook api_request_parallel_processor.py, downloaded from " + COOKBOOK_SCRIPT_URL
          + ". Defaults to ${DEFAULT-VALUE}.")
  Path cookbookScript;

  @Option(names = "--cookbook-tpm", defaultValue = "1000000",
      description = "The cookbook row's --max_tokens_per_minute: generous, since the workload is bound by requests. "
          + "Defaults to ${DEFAULT-VALUE}.")
  long cookbookTpm;

  @Option(names = "--openai-concurrency", defaultValue = "100",
      description = "The openai-python row's semaphore around asyncio.gather. Defaults to ${DEFAULT-VALUE}.")
  int openaiConcurrency;

  @Option(names = "--row-timeout", defaultValue = "20m", converter = DurationConverter.class,
      description = "A row's process is killed after this long. Defaults to ${DEFAULT-VALUE}.")
  Duration rowTimeout;

  @Option(names = "--xmx", defaultValue = "128m", description = "The CLI's -Xmx in memory mode. Defaults to ${DEFAULT-VALUE}.")
  String xmx;

  @Option(names = "--sample-every", defaultValue = "5s", converter = DurationConverter.class,
      description = "RSS sampling period in memory mode. Defaults to ${DEFAULT-VALUE}.")
  Duration sampleEvery;

  @Mixin
  JavaOption java;

  @Option(names = "--out", defaultValue = "bench-results/jobs",
      description = "Directory for the inputs, outputs, reports and logs. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  private final ObjectMapper json = new ObjectMapper();

  /** One row of the metered table: a client that ran, or one skipped with the reason. */
  record Row(JobsClient client, String skipped, ResultsCheck.Counts counts, long sent, long limited,
      ClientRuns.Outcome outcome, String loadBefore, String loadAfter) {}

  @Override
  public Integer call() throws Exception {
    Ranges.atLeast(spec, "--n", n, 1);
    Files.createDirectories(out);
    String launcher = java.launcher();
    return switch (mode) {
      case "metered" -> metered(launcher);
      case "memory" -> memory(launcher);
      default -> throw new IllegalArgumentException("--mode: metered or memory, not " + mode);
    };
  }

  private int metered(String launcher) throws IOException, InterruptedException {
    Ranges.atLeast(spec, "--rpm", rpm, 1);
    String cp = ChildJvms.classpath();
    Path batchInput = out.resolve("requests-" + n + ".jsonl");
    JobsInputs.writeBatchInput(batchInput, n, maxTokens.maxTokens());
    ClientRuns runs = new ClientRuns(launcher, cp, python, out, rowTimeout);
    List<Row> rows = new ArrayList<>();
    for (JobsClient client : clients) {
      Optional<String> whyNot = runs.whyNot(client, cookbookScript);
      if (whyNot.isPresent()) {
        System.out.println(client.label() + " skipped: " + whyNot.get());
        rows.add(new Row(client, whyNot.get(), null, 0, 0, null, null, null));
        continue;
      }
      String loadBefore = Machines.loadAverage();
      try (MockProcess mock = MockProcess.start(launcher, cp, latency, rpm, 0, out.resolve("server-" + client.label() + ".log"))) {
        mock.warmUp();
        ClientRuns.Outcome o = switch (client) {
          case FANOUT_JOBS -> runs.fanoutJobs(mock.url(), batchInput);
          case COOKBOOK -> {
            Path cookbookInput = out.resolve("requests-" + n + "-cookbook.jsonl");
            JobsInputs.writeCookbookInput(cookbookInput, n, maxTokens.maxTokens());
            yield runs.cookbook(mock.url(), cookbookInput, cookbookScript, rpm, cookbookTpm);
          }
          case OPENAI_PYTHON -> runs.openaiPython(mock.url(), batchInput, openaiConcurrency);
        };
        MockProcess.Counts received = mock.counts("chat");
        ResultsCheck.Counts counts = ResultsCheck.check(o.results(), o.format(), n);
        Row row = new Row(client, null, counts, received.requests(), received.rateLimited(), o, loadBefore,
            Machines.loadAverage());
        System.out.println(rowLine(row, quotaMinimumSeconds()));
        rows.add(row);
      }
    }
    String md = meteredMarkdown(rows);
    Markdown.writeAndPrint(out.resolve("jobs-metered.md"), md);
    return rows.stream().anyMatch(r -> r.outcome() != null && r.outcome().exit() != 0) ? 1 : 0;
  }

  /** The least time the quota takes to admit {@code n} requests (one second's worth at once), plus one latency. */
  double quotaMinimumSeconds() {
    return Quotas.minimumSeconds(n, 0, rpm, 0) + latency.toNanos() / 1e9;
  }

  String meteredMarkdown(List<Row> rows) {
    double minimum = quotaMinimumSeconds();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%,d chat requests, mock metered at %,d RPM (bucket one second deep), %d ms "
        + "latency; quota minimum %.2f s; a fresh mock per row%n%n", n, rpm, latency.toMillis(), minimum));
    md.append("| client | ok | failed | each request once | requests sent | 429s | wall | wall ÷ minimum | load before / after |\n");
    md.append("|---|--:|--:|---|--:|--:|--:|--:|---|\n");
    List<String> notes = new ArrayList<>();
    for (Row r : rows) {
      if (r.skipped() != null) {
        md.append("| ").append(r.client().label()).append(" | skipped | | | | | | | |\n");
        notes.add(r.client().label() + " skipped: " + r.skipped());
        continue;
      }
      md.append(rowLine(r, minimum)).append('\n');
      ClientRuns.Outcome o = r.outcome();
      if (o.timedOut()) {
        notes.add(r.client().label() + ": killed after " + rowTimeout.toMinutes() + " min (--row-timeout)");
      } else if (o.exit() != 0) {
        notes.add(r.client().label() + ": exited with " + o.exit() + "; see " + out.resolve(r.client().label() + ".log"));
      }
      if (o.version() != null && r.client() != JobsClient.FANOUT_JOBS) {
        notes.add(r.client().label() + ": " + o.version());
      }
      if (r.client() == JobsClient.FANOUT_JOBS) {
        double share = r.sent() == 0 ? 0 : (double) r.limited() / r.sent();
        boolean pass = r.counts().ok() == n && r.counts().eachOnce() && share <= 0.01 && o.wallSeconds() <= 1.05 * minimum;
        notes.add(pass ? "fanout-jobs targets met: all ok, at most 1% 429s, wall at most 1.05 × the quota minimum."
            : "fanout-jobs targets NOT met (all ok, at most 1% 429s, wall at most 1.05 × the quota minimum).");
      }
    }
    Markdown.appendNotes(md, notes);
    return md.toString();
  }

  private String rowLine(Row r, double minimum) {
    ResultsCheck.Counts c = r.counts();
    double share = r.sent() == 0 ? 0 : (double) r.limited() / r.sent();
    String once = c.eachOnce() ? "yes" : String.format(Locale.ROOT, "no (%d duplicated, %d missing, %d unreadable)",
        c.duplicates(), c.missing(), c.unreadable());
    double wall = r.outcome().wallSeconds();
    return String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %,d | %,d (%.1f%%) | %.2f s | %.3f | %s / %s |",
        r.client().label(), c.ok(), c.failed(), once, r.sent(), r.limited(), 100 * share, wall, wall / minimum,
        r.loadBefore(), r.loadAfter());
  }

  private int memory(String launcher) throws IOException, InterruptedException {
    String cp = ChildJvms.classpath();
    Path input = out.resolve("requests-" + n + ".jsonl");
    JobsInputs.writeBatchInput(input, n, maxTokens.maxTokens());
    Path output = out.resolve("results.jsonl");
    Files.deleteIfExists(output);
    Files.deleteIfExists(output.resolveSibling("results.jsonl.batches.json"));
    Path report = out.resolve("report.json");
    try (MockProcess mock = MockProcess.start(launcher, cp, Duration.ZERO, 0, 0, out.resolve("server.log"))) {
      mock.warmUp();
      List<String> cmd = ClientRuns.fanoutJobsRun(launcher, List.of("-Xmx" + xmx), cp, input, output, mock.url(), report);
      ClientRuns.echo(cmd, cp);
      long start = System.nanoTime();
      Process cli = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(out.resolve("cli.log").toFile()).start();
      List<long[]> rss = new ArrayList<>(); // {seconds, kB}
      while (!cli.waitFor(sampleEvery.toMillis(), TimeUnit.MILLISECONDS)) {
        long kb = ProcFiles.number(Path.of("/proc/" + cli.pid() + "/status"), "VmRSS:").orElse(0);
        if (kb > 0) {
          long s = (System.nanoTime() - start) / 1_000_000_000L;
          rss.add(new long[] {s, kb});
          System.out.printf(Locale.ROOT, "  %4d s  RSS %,d kB%n", s, kb);
        }
      }
      System.out.print(Files.readString(out.resolve("cli.log")));
      if (cli.exitValue() != 0) {
        System.out.println("the CLI exited with " + cli.exitValue() + "; see " + out.resolve("cli.log"));
        return 1;
      }
      JsonNode r = json.readTree(report.toFile());
      long lines;
      try (var s = Files.lines(output)) {
        lines = s.count();
      }
      double wall = r.path("wall_seconds").asDouble();
      long atMinute = rss.stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).findFirst().orElse(-1);
      long peakAfter = rss.stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).max().orElse(-1);
      long peak = rss.stream().mapToLong(s -> s[1]).max().orElse(-1);
      StringBuilder md = new StringBuilder();
      md.append(String.format(Locale.ROOT, "fanout-jobs run, -Xmx%s: %,d chat requests, unmetered mock, no latency%n%n",
          xmx, n));
      md.append("| ok | failed | output lines | wall | RSS at 60 s | peak RSS after 60 s | peak RSS |\n");
      md.append("|--:|--:|--:|--:|--:|--:|--:|\n");
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.1f s | %s | %s | %,d kB |%n%n",
          r.path("ok").asLong(), r.path("failed").asLong(), lines, wall,
          atMinute < 0 ? "(ran under a minute)" : String.format(Locale.ROOT, "%,d kB", atMinute),
          peakAfter < 0 ? "-" : String.format(Locale.ROOT, "%,d kB", peakAfter), peak));
      boolean flat = atMinute < 0 || peakAfter <= atMinute * 1.10;
      md.append(r.path("ok").asLong() == n && flat ? "Completed; RSS flat after the first minute (peak within 10%).\n"
          : "NOT met: " + (r.path("ok").asLong() != n ? "not all ok. " : "") + (flat ? "" : "RSS grew after the first minute.") + "\n");
      Markdown.writeAndPrint(out.resolve("jobs-memory.md"), md);
      return 0;
    }
  }
}
