package dev.fanout.bench.metered;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.bench.ChildJvms;
import dev.fanout.bench.Markdown;
import dev.fanout.bench.MockProcess;
import dev.fanout.bench.Processes;
import dev.fanout.bench.ResultLine;
import dev.fanout.bench.cli.JavaOption;
import dev.fanout.bench.cli.MaxTokensOption;
import dev.fanout.bench.cli.ProviderOption;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.Quotas;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The metered benchmark: a batch of chat completions against the mock metered like
 * OpenAI (a per-minute limit enforced as a token bucket one second deep, {@code x-ratelimit-*} on every
 * response, 429 with {@code retry-after-ms} when empty), request-bound ({@code --rpm}) and token-bound
 * ({@code --tpm}). Rows: Fanout's defaults, Fanout with the governor off at three {@code maxInFlight}s,
 * the official Python {@code openai} client when it can be imported, and two Fanout processes of half the
 * batch each sharing the one quota. The backend runs in its own JVM; every client in its own process;
 * the 429s are the backend's own count. Prints and writes a Markdown table (median of {@code --runs}).
 */
@Command(name = "metered", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Metered batch benchmark: chat completions against an OpenAI-style metered mock.")
public final class MeteredCommand implements Callable<Integer> {
  @Option(names = "--n", defaultValue = "1000", description = "Chat completions per row. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Option(names = "--latency", defaultValue = "500ms", converter = DurationConverter.class,
      description = "Backend latency per admitted request. Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--rpm", defaultValue = "6000",
      description = "Requests per minute of the request-bound workload. Defaults to ${DEFAULT-VALUE}.")
  long rpm;

  @Option(names = "--tpm", defaultValue = "150000",
      description = "Tokens per minute of the token-bound workload (no request limit; with --provider anthropic, "
          + "both input and output tokens per minute); 0 skips it. Defaults to ${DEFAULT-VALUE}.")
  long tpm;

  @Mixin
  MaxTokensOption maxTokens;

  @Mixin
  ProviderOption provider;

  @Option(names = "--runs", defaultValue = "3", description = "Runs per row (the median is shown). Defaults to ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--rows", split = ",", defaultValue = "defaults,no-governor@1000,no-governor@256,no-governor@64,python-openai,defaults-2x",
      description = "Rows: defaults, no-governor@MAX_IN_FLIGHT, python-openai, defaults-2x (two processes of "
          + "n/2). Defaults to ${DEFAULT-VALUE}.")
  List<String> rows;

  @Mixin
  JavaOption java;

  @Option(names = "--python", defaultValue = "/usr/bin/python3",
      description = "Python for the python-openai row (skipped with a note unless it imports openai). "
          + "Defaults to ${DEFAULT-VALUE}.")
  String python;

  @Option(names = "--out", defaultValue = "bench-results/metered",
      description = "Directory for metered.md and logs. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  /** One measured run of a row. */
  record Run(int ok, int failed, long requests, long rateLimited, long wallMillis, long tokens) {
    double share429() {
      return requests == 0 ? 0 : (double) rateLimited / requests;
    }
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    String launcher = java.launcher();
    String cp = ChildJvms.classpath();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Metered batch: %d %s (max_tokens %d), %d ms per admitted "
        + "request, buckets one second deep; median of %d runs.%n%n", n,
        provider.anthropic() ? "Anthropic messages, metered like Anthropic," : "chat completions",
        maxTokens.maxTokens(), latency.toMillis(), runs));
    md.append("| workload | client | ok | failed | 429s | wall | quota minimum | wall ÷ minimum |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
    List<String> notes = new ArrayList<>();
    long[][] workloads = tpm > 0 ? new long[][] {{rpm, 0}, {0, tpm}} : new long[][] {{rpm, 0}};
    for (long[] w : workloads) {
      String name = w[0] > 0 ? String.format(Locale.ROOT, "%,d RPM", w[0]) : String.format(Locale.ROOT, "%,d TPM", w[1]);
      try (MockProcess mock = MockProcess.start(launcher, cp, latency, w[0], w[1], out.resolve("server.log"))) {
        for (String row : rows) {
          if (row.equals("python-openai") && !Processes.canImport(python, "openai")) {
            String note = "python-openai: skipped, `" + python + " -c 'import openai'` fails (the package is "
                + "not installed here).";
            if (!notes.contains(note)) {
              notes.add(note);
            }
            continue;
          }
          List<Run> measured = new ArrayList<>();
          for (int r = 0; r < runs; r++) {
            Run run = runRow(row, launcher, cp, mock);
            measured.add(run);
            System.out.printf(Locale.ROOT, "%s %s run %d: ok=%d failed=%d requests=%d 429=%d (%.1f%%) wall=%.2fs tokens=%d%n",
                name, row, r + 1, run.ok, run.failed, run.requests, run.rateLimited, 100 * run.share429(),
                run.wallMillis / 1000.0, run.tokens);
          }
          Run med = median(measured);
          double tokensPerCall = med.ok == 0 ? 0 : (double) med.tokens / med.ok;
          double minimum = quotaMinimumSeconds(n, tokensPerCall, w[0], w[1], latency.toNanos() / 1e9);
          md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f%% (%d) | %.2f s | %.2f s | %.2f |%n",
              name, label(row), med.ok, med.failed, 100 * med.share429(), med.rateLimited, med.wallMillis / 1000.0,
              minimum, med.wallMillis / 1000.0 / minimum));
        }
      }
    }
    Markdown.appendNotes(md, notes);
    Markdown.writeAndPrint(out.resolve(provider.anthropic() ? "metered-anthropic.md" : "metered.md"), md);
    return 0;
  }

  private static String label(String row) {
    if (row.equals("defaults")) {
      return "Fanout, defaults";
    }
    if (row.equals("defaults-2x")) {
      return "Fanout, defaults, 2 processes × n/2";
    }
    if (row.startsWith("no-governor@")) {
      return "Fanout, `--no-governor`, maxInFlight " + row.substring("no-governor@".length());
    }
    if (row.equals("python-openai")) {
      return "Python `openai`, asyncio.gather";
    }
    return row;
  }

  /**
   * The least wall time the quota allows for {@code n} calls: the bucket holds one second's worth at the
   * start and refills at the per-minute rate / 60; the last call still takes the latency.
   */
  static double quotaMinimumSeconds(int n, double tokensPerCall, long rpm, long tpm, double latencySeconds) {
    return Quotas.minimumSeconds(n, tokensPerCall, rpm, tpm) + latencySeconds;
  }

  private Run runRow(String row, String launcher, String cp, MockProcess mock) throws Exception {
    mock.reset();
    String url = mock.url();
    TimeUnit.MILLISECONDS.sleep(200);
    List<Process> clients = new ArrayList<>();
    long startAt = System.currentTimeMillis() + 2500; // after the client JVMs have started
    if (row.equals("defaults-2x")) {
      clients.add(client(launcher, cp, url, n / 2, 0, false, 0, startAt));
      clients.add(client(launcher, cp, url, n - n / 2, n / 2, false, 0, startAt));
    } else if (row.equals("defaults")) {
      clients.add(client(launcher, cp, url, n, 0, false, 0, startAt));
    } else if (row.startsWith("no-governor@")) {
      int max = Integer.parseInt(row.substring("no-governor@".length()));
      clients.add(client(launcher, cp, url, n, 0, true, max, startAt));
    } else if (row.equals("python-openai")) {
      clients.add(pythonClient(url, startAt));
    } else {
      throw new IllegalArgumentException("unknown row: " + row);
    }
    int ok = 0;
    int failed = 0;
    long tokens = 0;
    long start = Long.MAX_VALUE;
    long end = 0;
    for (Process p : clients) {
      JsonNode r = result(p, row);
      ok += r.get("ok").asInt();
      failed += r.get("failed").asInt();
      tokens += r.get("tokens").asLong();
      start = Math.min(start, r.get("startMillis").asLong());
      end = Math.max(end, r.get("endMillis").asLong());
    }
    MockProcess.Counts received = mock.counts(provider.anthropic() ? "messages" : "chat");
    return new Run(ok, failed, received.requests(), received.rateLimited(), end - start, tokens);
  }

  private Process client(String launcher, String cp, String url, int count, int offset, boolean noGovernor,
      int maxInFlight, long startAt) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher, "-cp", cp, "dev.fanout.bench.BenchMain", "metered-client",
        "--url", url, "--n", String.valueOf(count), "--offset", String.valueOf(offset),
        "--start-at", String.valueOf(startAt)));
    cmd.addAll(maxTokens.args());
    cmd.addAll(provider.args());
    if (noGovernor) {
      cmd.add("--no-governor");
    }
    if (maxInFlight > 0) {
      cmd.add("--max-in-flight");
      cmd.add(String.valueOf(maxInFlight));
    }
    return new ProcessBuilder(cmd).redirectError(out.resolve("client.log").toFile()).start();
  }

  private Process pythonClient(String url, long startAt) throws IOException {
    String script = String.join("\n",
        "import asyncio, json, sys, time",
        "from openai import AsyncOpenAI",
        "url, n, max_tokens, start_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) / 1000",
        "async def main():",
        "    client = AsyncOpenAI(base_url=url + 'v1', api_key='sk-bench-metered')",
        "    await asyncio.sleep(max(0, start_at - time.time()))",
        "    start = time.time()",
        "    rs = await asyncio.gather(*[client.chat.completions.create(model='gpt-4o-mini', max_tokens=max_tokens,",
        "        messages=[{'role': 'user', 'content': f'Write one line about item {i}.'}]) for i in range(n)],",
        "        return_exceptions=True)",
        "    end = time.time()",
        "    ok = [r for r in rs if not isinstance(r, Exception)]",
        "    tokens = sum(r.usage.total_tokens for r in ok if r.usage)",
        "    print('RESULT ' + json.dumps({'ok': len(ok), 'failed': n - len(ok), 'startMillis': int(start * 1000),",
        "        'endMillis': int(end * 1000), 'tokens': tokens, 'errors': {}}), flush=True)",
        "asyncio.run(main())");
    return new ProcessBuilder(python, "-c", script, url, String.valueOf(n), String.valueOf(maxTokens.maxTokens()),
        String.valueOf(startAt)).redirectError(out.resolve("python.log").toFile()).start();
  }

  private JsonNode result(Process p, String row) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Optional<JsonNode> result = ResultLine.parse(line);
        if (result.isPresent()) {
          p.waitFor(60, TimeUnit.SECONDS);
          return result.get();
        }
      }
    }
    p.waitFor(60, TimeUnit.SECONDS);
    throw new IllegalStateException(row + ": the client printed no RESULT line (exit " + p.exitValue()
        + "; see " + out.resolve("client.log") + ")");
  }

  /** The run with the median wall time. */
  private static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    Collections.sort(sorted, (a, b) -> Long.compare(a.wallMillis, b.wallMillis));
    return sorted.get(sorted.size() / 2);
  }
}
