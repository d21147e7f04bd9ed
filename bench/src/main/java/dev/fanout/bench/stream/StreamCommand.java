package dev.fanout.bench.stream;

import dev.fanout.FanoutClient;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutStream;
import dev.fanout.StreamReport;
import dev.fanout.bench.ChildJvms;
import dev.fanout.bench.Markdown;
import dev.fanout.bench.MockProcess;
import dev.fanout.bench.cli.EngineOption;
import dev.fanout.bench.cli.GovernorOption;
import dev.fanout.bench.cli.JavaOption;
import dev.fanout.users.User;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The stream benchmark: N user lookups pulled from a lazy source through {@link FanoutStream} against a
 * zero-latency backend in its own JVM, first a baseline N, then the large one, in this JVM (run it with
 * {@code -Xmx128m}), after an unmeasured warm-up run. Checks that every input was delivered exactly once (count, sum and sum of squares of
 * the pull indexes, each answer's id against its input, the backend's own request count) and compares the
 * heap after a full GC, halfway and at the end, with the baseline's. Exits 1 if an input is missing or
 * duplicated or the heap grew more than {@code --max-heap-ratio}.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Stream benchmark: a million inputs through FanoutStream with bounded memory.")
public final class StreamCommand implements Callable<Integer> {
  @Option(names = "--n", defaultValue = "1000000", description = "Inputs of the large run. Defaults to ${DEFAULT-VALUE}.")
  long n;

  @Option(names = "--baseline-n", defaultValue = "10000",
      description = "Inputs of the baseline run, whose heap the large run's is compared with. Defaults to ${DEFAULT-VALUE}.")
  long baselineN;

  @Option(names = "--warmup-n", defaultValue = "5000",
      description = "Inputs of an unmeasured first run that opens the connections and warms the JIT. "
          + "Defaults to ${DEFAULT-VALUE}.")
  long warmupN;

  @Option(names = "--concurrency", defaultValue = "256",
      description = "The stream's maxConcurrency. Defaults to ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--buffer", defaultValue = "" + FanoutStream.DEFAULT_BUFFER_SIZE,
      description = "The stream's bufferSize. Defaults to ${DEFAULT-VALUE}.")
  int buffer;

  @Mixin
  EngineOption engine;

  @Option(names = "--base-url", description = "Use this backend instead of starting one (its stats must start at 0).")
  String baseUrl;

  @Option(names = "--max-heap-ratio", defaultValue = "2.0",
      description = "Largest allowed ratio of the large run's heap after GC to the baseline's. Defaults to ${DEFAULT-VALUE}.")
  double maxHeapRatio;

  @Mixin
  GovernorOption governor;

  @Mixin
  JavaOption java;

  @Option(names = "--out", defaultValue = "bench-results/stream",
      description = "Directory for stream.md and server.log. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  private final HttpClient http = HttpClient.newHttpClient();

  /** One run's figures. */
  record Run(long n, StreamReport report, long delivered, boolean exactlyOnce, long serverRequests,
      long heapHalfway, long heapEnd, double seconds) {}

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    MockProcess server = null;
    String url = baseUrl;
    if (url == null) {
      server = MockProcess.start(java.launcher(), ChildJvms.classpath(), engine.engine(), Duration.ZERO, 0, 0,
          out.resolve("server.log"));
      url = server.url();
    }
    url = url.endsWith("/") ? url : url + "/";
    try (FanoutClient client = governor.applyTo(FanoutClient.builder().baseUrl(url)).build()) {
      List<Run> runs = new ArrayList<>();
      if (warmupN > 0) {
        Run warmup = run(client, warmupN);
        System.out.printf(Locale.ROOT, "warm-up n=%,d: %s%n", warmupN, warmup.report);
      }
      long before = usersRequests(url);
      for (long size : new long[] {baselineN, n}) {
        Run run = run(client, size);
        long served = usersRequests(url);
        run = new Run(run.n, run.report, run.delivered, run.exactlyOnce, served - before, run.heapHalfway,
            run.heapEnd, run.seconds);
        before = served;
        runs.add(run);
        System.out.printf(Locale.ROOT, "n=%,d: %s; delivered once each: %s; server requests %,d; "
                + "heap after GC halfway %.1f MB, at the end %.1f MB%n",
            size, run.report, run.exactlyOnce, run.serverRequests, mb(run.heapHalfway), mb(run.heapEnd));
      }
      return report(runs);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private Run run(FanoutClient client, long size) {
    long[] count = new long[1];
    long[] sum = new long[1];
    long[] sumSquares = new long[1];
    long[] mismatched = new long[1];
    long[] heapHalfway = new long[1];
    long half = size / 2;
    FanoutStream<Long, User> stream = FanoutStream.<Long, User>builder(LongStream.rangeClosed(1, size).boxed().iterator(),
            (id, context) -> client.users().withContext(context).getAsync(id))
        .options(FanoutOptions.builder().maxConcurrency(concurrency).build())
        .bufferSize(buffer)
        .sizeHint(size)
        .build();
    long start = System.nanoTime();
    StreamReport report = stream.forEach(c -> {
      long i = c.index();
      count[0]++;
      sum[0] += i;
      sumSquares[0] += i * i;
      if (!c.isSuccess() || c.value().id() != c.input() || c.input() != i + 1) {
        mismatched[0]++;
      }
      if (count[0] == half) {
        heapHalfway[0] = heapAfterFullGc(); // with the stream running: what it holds at its widest
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    long heapEnd = heapAfterFullGc();
    long m = size - 1;
    // Sums over 0..size-1 (wrapping like the running sums do).
    long expectedSum = m * (m + 1) / 2;
    long expectedSquares = m * (m + 1) * (2 * m + 1) / 6;
    boolean once = count[0] == size && sum[0] == expectedSum && sumSquares[0] == expectedSquares
        && mismatched[0] == 0 && report.pulled() == size && report.succeeded() == size
        && report.delivered() == size;
    return new Run(size, report, count[0], once, 0, heapHalfway[0], heapEnd, seconds);
  }

  private int report(List<Run> runs) throws IOException {
    Run base = runs.get(0);
    Run large = runs.get(1);
    double ratioEnd = (double) large.heapEnd / base.heapEnd;
    double ratioHalf = (double) large.heapHalfway / base.heapHalfway;
    boolean allOnce = runs.stream().allMatch(r -> r.exactlyOnce && r.serverRequests == r.n);
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Stream benchmark: user lookups against a zero-latency %s backend in its own "
            + "JVM; maxConcurrency %d, bufferSize %d, governor %s; client JVM max heap %.0f MB (%s).%n%n",
        engine.engine().id(), concurrency, buffer, governor.off() ? "off" : "on", mb(Runtime.getRuntime().maxMemory()), System.getProperty("java.version")));
    md.append("| inputs | delivered once each | server requests | wall | rate | p50 | p99 | peak in flight "
        + "| heap after GC, halfway | heap after GC, end |\n");
    md.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Run r : runs) {
      md.append(String.format(Locale.ROOT, "| %,d | %s | %,d | %.1f s | %,.0f/s | %.2f ms | %.2f ms | %d | %.1f MB | %.1f MB |%n",
          r.n, r.exactlyOnce ? "yes" : "NO", r.serverRequests, r.seconds, r.n / r.seconds,
          r.report.latency(50).toNanos() / 1e6, r.report.latency(99).toNanos() / 1e6, r.report.peakInFlight(),
          mb(r.heapHalfway), mb(r.heapEnd)));
    }
    md.append(String.format(Locale.ROOT, "%nHeap after GC, %,d vs %,d inputs: %.2fx halfway, %.2fx at the end "
        + "(allowed %.1fx).%n", large.n, base.n, ratioHalf, ratioEnd, maxHeapRatio));
    Markdown.writeAndPrint(out.resolve("stream.md"), md);
    if (!allOnce) {
      System.out.println("FAIL: an input was missing or delivered twice");
      return 1;
    }
    if (ratioEnd > maxHeapRatio || ratioHalf > maxHeapRatio) {
      System.out.println("FAIL: the heap grew with the number of inputs");
      return 1;
    }
    return 0;
  }

  private static long heapAfterFullGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private long usersRequests(String url) throws IOException, InterruptedException {
    return MockProcess.stats(http, url).path("requests").path("users").asLong();
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
