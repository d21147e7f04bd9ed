package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.server.DurationConverter;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The jobs benchmark: {@code fanout-jobs run} with its defaults, as a user runs it, on a file of chat
 * requests against the mock in its own JVM.
 *
 * <ul>
 *   <li>{@code metered} (default): {@code --n} requests against the mock metered at {@code --rpm} (a token
 *       bucket one second deep, {@code x-ratelimit-*} headers, 429 with {@code retry-after-ms}) with
 *       {@code --latency}; reports ok, the share of 429s (the backend's count), wall, the quota's minimum
 *       and wall ÷ minimum, against the targets (all ok, at most 1% 429s, at most 1.05 × the minimum).
 *   <li>{@code memory}: {@code --n} requests (say 1,000,000) against an unmetered mock with no latency, the
 *       CLI under {@code --xmx}; samples the CLI's resident set every {@code --sample-every} and reports
 *       whether it stayed flat after the first minute (its peak then at most 10% over its size at one minute).
 * </ul>
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Jobs benchmark: fanout-jobs run on a JSONL file against the mock (metered, or for memory).")
public final class JobsCommand implements Callable<Integer> {
  @Option(names = "--mode", defaultValue = "metered", description = "metered or memory. Defaults to ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = "--n", defaultValue = "10000", description = "Requests in the file. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Option(names = "--latency", defaultValue = "500ms", converter = DurationConverter.class,
      description = "Backend latency per admitted request (metered mode; memory uses 0). Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--rpm", defaultValue = "6000",
      description = "Requests per minute the mock admits (metered mode). Defaults to ${DEFAULT-VALUE}.")
  long rpm;

  @Option(names = "--max-tokens", defaultValue = "16", description = "max_tokens per request. Defaults to ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--xmx", defaultValue = "128m", description = "The CLI's -Xmx in memory mode. Defaults to ${DEFAULT-VALUE}.")
  String xmx;

  @Option(names = "--sample-every", defaultValue = "5s", converter = DurationConverter.class,
      description = "RSS sampling period in memory mode. Defaults to ${DEFAULT-VALUE}.")
  Duration sampleEvery;

  @Option(names = "--java", description = "The java launcher. Defaults to this JVM's.")
  String java;

  @Option(names = "--out", defaultValue = "bench-results/jobs",
      description = "Directory for the input, output, report and logs. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    boolean metered = mode.equals("metered");
    if (!metered && !mode.equals("memory")) {
      throw new IllegalArgumentException("--mode: metered or memory, not " + mode);
    }
    String launcher = java != null ? java : ProcessHandle.current().info().command().orElse("java");
    String cp = classpath();
    Path input = out.resolve("requests-" + n + ".jsonl");
    writeInput(input);
    Path output = out.resolve("results.jsonl");
    Files.deleteIfExists(output);
    Files.deleteIfExists(output.resolveSibling("results.jsonl.batches.json"));
    Path report = out.resolve("report.json");
    Process server = startServer(launcher, cp, metered);
    try {
      String url = readUrl(server);
      warmUp(url);
      List<String> cmd = new ArrayList<>(List.of(launcher));
      if (!metered) {
        cmd.add("-Xmx" + xmx);
      }
      cmd.addAll(List.of("-cp", cp, "dev.fanout.jobs.cli.JobsMain", "run", "--input", input.toString(),
          "--output", output.toString(), "--base-url", url, "--api-key", "sk-bench-jobs",
          "--report-json", report.toString(), "--progress", "plain"));
      System.out.println("$ " + String.join(" ", cmd).replace(cp, "<bench classpath>"));
      long start = System.nanoTime();
      Process cli = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(out.resolve("cli.log").toFile()).start();
      List<long[]> rss = new ArrayList<>(); // {seconds, kB}
      while (!cli.waitFor(sampleEvery.toMillis(), TimeUnit.MILLISECONDS)) {
        long kb = rssKb(cli.pid());
        if (kb > 0) {
          long s = (System.nanoTime() - start) / 1_000_000_000L;
          rss.add(new long[] {s, kb});
          if (!metered) {
            System.out.printf(Locale.ROOT, "  %4d s  RSS %,d kB%n", s, kb);
          }
        }
      }
      System.out.print(Files.readString(out.resolve("cli.log")));
      if (cli.exitValue() != 0) {
        System.out.println("the CLI exited with " + cli.exitValue() + "; see " + out.resolve("cli.log"));
        return 1;
      }
      JsonNode r = json.readTree(report.toFile());
      JsonNode stats = json.readTree(get(url + "__admin/stats"));
      long requests = stats.path("requests").path("chat").asLong();
      long limited = stats.path("faults").path("rateLimited").asLong();
      long lines;
      try (var s = Files.lines(output)) {
        lines = s.count();
      }
      double wall = r.path("wall_seconds").asDouble();
      StringBuilder md = new StringBuilder();
      if (metered) {
        double minimum = Math.max(0, n - rpm / 60.0) / (rpm / 60.0) + latency.toNanos() / 1e9;
        double share = requests == 0 ? 0 : (double) limited / requests;
        md.append(String.format(Locale.ROOT, "fanout-jobs run, defaults: %,d chat requests, mock metered at %,d RPM "
            + "(bucket one second deep), %d ms latency%n%n", n, rpm, latency.toMillis()));
        md.append("| ok | failed | output lines | requests sent | 429s | wall | quota minimum | wall ÷ minimum |\n");
        md.append("|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.2f%% (%d) | %.2f s | %.2f s | %.3f |%n%n",
            r.path("ok").asLong(), r.path("failed").asLong(), lines, requests, 100 * share, limited, wall, minimum,
            wall / minimum));
        boolean pass = r.path("ok").asLong() == n && share <= 0.01 && wall <= 1.05 * minimum;
        md.append(pass ? "Targets met: all ok, at most 1% 429s, wall at most 1.05 × the quota minimum.\n"
            : "Targets NOT met (all ok, at most 1% 429s, wall at most 1.05 × the quota minimum).\n");
      } else {
        long atMinute = rss.stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).findFirst().orElse(-1);
        long peakAfter = rss.stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).max().orElse(-1);
        long peak = rss.stream().mapToLong(s -> s[1]).max().orElse(-1);
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
      }
      Files.writeString(out.resolve("jobs-" + mode + ".md"), md.toString(), StandardCharsets.UTF_8);
      System.out.println();
      System.out.print(md);
      return 0;
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void writeInput(Path input) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write("{\"custom_id\":\"request-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
            + "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Write one line about item "
            + i + ".\"}],\"max_tokens\":" + maxTokens + "}}\n");
      }
    }
  }

  private Process startServer(String launcher, String cp, boolean metered) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher, "-cp", cp, "dev.fanout.mock.MockServerMain",
        "--port", "0", "--engine", "netty", "--latency", (metered ? latency.toMillis() : 0) + "ms"));
    if (metered && rpm > 0) {
      cmd.addAll(List.of("--rpm", String.valueOf(rpm)));
    }
    return new ProcessBuilder(cmd).redirectError(out.resolve("server.log").toFile()).start();
  }

  private static String readUrl(Process server) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("Listening on ")) {
        String url = line.substring("Listening on ".length()).trim();
        return url.endsWith("/") ? url : url + "/";
      }
    }
    throw new IllegalStateException("the mock printed no 'Listening on' line");
  }

  /**
   * Warms the mock's JVM (a few hundred unmetered requests at once), then resets its counters and buckets: the run
   * measures the client, not the mock's first seconds of JIT.
   */
  private void warmUp(String url) throws IOException, InterruptedException {
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "v1/models")).GET().build(),
          HttpResponse.BodyHandlers.discarding()));
    }
    calls.forEach(CompletableFuture::join);
    http.send(HttpRequest.newBuilder(URI.create(url + "__admin/reset")).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.discarding());
  }

  private String get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The process's resident set in kB, from /proc (0 where there is none). */
  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static String classpath() {
    List<String> abs = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      abs.add(new File(e).getAbsolutePath());
    }
    return String.join(File.pathSeparator, abs);
  }
}
