package dev.fanout.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FanoutClient;
import dev.fanout.bench.ClientKind;
import dev.fanout.bench.Processes;
import dev.fanout.bench.ResultLine;
import dev.fanout.bench.Scripts;
import dev.fanout.bench.harness.BenchReport.Row;
import dev.fanout.bench.harness.BenchReport.Run;
import dev.fanout.bench.harness.BenchReport.Spread;
import dev.fanout.bench.harness.BenchReport.Throughput;
import dev.fanout.mock.Engine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Runs the benchmark: for each row and N, a fresh backend in its own JVM, then {@code runs} client
 * processes one after another (each its own JVM, or Python process), each running {@code rounds}
 * fan-outs; then the zero-latency throughput rows. Every process is sampled through {@code /proc}.
 *
 * <p>The harness owns every process it starts and ends them before it returns, on failure too.
 */
public final class Harness {
  /** The bench's main class, started with {@code -cp} in every child JVM. */
  public static final String MAIN_CLASS = "dev.fanout.bench.BenchMain";

  private static final long SAMPLE_MILLIS = 10;
  /** OkHttp's default {@code Dispatcher.maxRequestsPerHost}. */
  private static final int OKHTTP_PER_HOST = 5;

  private final HarnessConfig config;
  private final PrintStream log;
  private final ObjectMapper json = new ObjectMapper();
  private final OkHttpClient admin = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
  private final OkHttpClient adminH2 = admin.newBuilder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
  private String clientRuntime;
  private String serverRuntime;

  public Harness(HarnessConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /** Runs every row and N, then the throughput rows, and returns what they measured. */
  public BenchReport run() throws IOException, InterruptedException {
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    Files.createDirectories(config.outDir().resolve("logs"));
    String loadBefore = Machines.loadAverage();
    List<String> notes = new ArrayList<>();
    String pythonVersion = null;
    if (config.rows().stream().anyMatch(r -> r.client() == ClientKind.AIOHTTP)) {
      pythonVersion = config.python() == null ? null : Machines.pythonWithAiohttp(config.python());
      if (pythonVersion == null) {
        notes.add("Python rows skipped: " + (config.python() == null ? "no Python given (--python)"
            : config.python() + " cannot import aiohttp (install Debian's python3-aiohttp)"));
      }
    }
    clientRuntime = Machines.javaVersion(config.clientJava());
    serverRuntime = Machines.javaVersion(config.serverJava());

    List<Row> rows = new ArrayList<>();
    for (RowSpec spec : config.rows()) {
      for (int n : config.ns()) {
        try {
          rows.add(runRow(spec, n, pythonVersion));
        } catch (IllegalStateException | IOException e) {
          // One broken row (a client that crashed or hung) must not cost the rest of a ten-minute run.
          log.println();
          String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
          rows.add(skipped(spec, spec.title(), n, "failed: " + why.substring(0, Math.min(300, why.length())), null));
        }
      }
    }
    List<Throughput> throughput = new ArrayList<>();
    if (!config.throughputDuration().isZero()) {
      throughput.add(runThroughput(ClientKind.FANOUT));
      throughput.add(runThroughput(ClientKind.FANOUT_H2C));
      throughput.add(runThroughput(ClientKind.OKHTTP_N));
      // the floor beside Fanout's virtual threads exists only where they do
      if (Machines.javaFeature(clientRuntime) >= 21) {
        throughput.add(runThroughput(ClientKind.OKHTTP_VT));
      } else {
        notes.add(ClientKind.OKHTTP_VT + " throughput row skipped: it needs a Java 21+ client JVM (" + clientRuntime + ")");
      }
    }
    BenchReport.Machine machine = new BenchReport.Machine(
        Runtime.getRuntime().availableProcessors(), Machines.memoryGib(), Machines.cpuModel(),
        System.getProperty("os.name") + " " + System.getProperty("os.version"), clientRuntime, serverRuntime,
        pythonVersion, loadBefore, Machines.loadAverage());
    BenchReport.Settings settings = new BenchReport.Settings(
        config.ns(), config.latency().toMillis(), config.runs(), config.rounds(), maxNById(),
        config.roundBudget().toMillis(),
        config.rows().stream().map(RowSpec::toString).toList(), config.clientJvmArgs(), config.serverJvmArgs());
    admin.connectionPool().evictAll();
    adminH2.connectionPool().evictAll();
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new BenchReport(started.toString(), Math.round(seconds * 10) / 10.0, config.command(), machine,
        settings, rows, throughput, notes);
  }

  private Row runRow(RowSpec spec, int n, String pythonVersion) throws IOException, InterruptedException {
    long latencyMs = config.latency().toMillis();
    String title = spec.title();
    Integer maxN = config.maxN().get(spec.client());
    if (maxN != null && n > maxN) {
      int bound = spec.client() == ClientKind.OKHTTP ? OKHTTP_PER_HOST
          : spec.client() == ClientKind.FANOUT ? FanoutClient.DEFAULT_MAX_IN_FLIGHT : 0;
      if (bound == 0) return skipped(spec, title, n, "not run above N=" + maxN, null);
      double waves = Math.ceil((double) n / bound);
      String what = spec.client() == ClientKind.OKHTTP ? "the default Dispatcher runs " + bound + " calls per host"
          : "the default maxInFlight runs " + bound + " calls";
      String note = String.format(Locale.ROOT, "not run above N=%d: %s at a time, so N=%d takes at least "
          + "ceil(N/%d) x latency = %.0f s", maxN, what, n, bound, waves * latencyMs / 1000.0);
      return skipped(spec, title, n, note, waves * latencyMs);
    }
    if (spec.client() == ClientKind.AIOHTTP && pythonVersion == null) {
      return skipped(spec, title, n, "not run: no Python with aiohttp", null);
    }
    log.printf(Locale.ROOT, "%-28s N=%-6d", spec, n);
    log.flush();
    List<Run> runs = new ArrayList<>();
    String note = null;
    long serverMaxInFlight = -1;
    int serverThreads;
    double serverRss;
    double serverCpu;
    List<String> jvmArgs = List.of();
    if (spec.aot()) {
      // Trained against a backend of its own, so the measured backend starts as cold as every other row's.
      Path cache = config.outDir().resolve("aot").resolve(spec.client().id() + "-n" + n + ".aot");
      Files.createDirectories(cache.getParent());
      long t = System.nanoTime();
      try (Server trainer = startServer(spec.engine(), config.latency(), spec.http2(), spec + "-n" + n + "-training")) {
        runJavaClient(spec, trainer.url, n, 1, List.of("-XX:AOTCacheOutput=" + cache), spec + "-n" + n + "-training");
      } catch (IllegalStateException e) {
        log.println(" skipped: the AOT training run failed (the client JVM needs JDK 25+)");
        return skipped(spec, title, n, "not run: the AOT training run failed (needs JDK 25+): " + e.getMessage(),
            null);
      }
      note = String.format(Locale.ROOT, "AOT cache trained by one unmeasured 1-round run at this N (%.1f s)",
          (System.nanoTime() - t) / 1e9);
      log.print(" [trained]");
      jvmArgs = List.of("-XX:AOTCache=" + cache);
    }
    try (Server server = startServer(spec.engine(), config.latency(), spec.http2(), spec + "-n" + n)) {
      for (int r = 1; r <= config.runs(); r++) {
        Run run = spec.client().jvm()
            ? runJavaClient(spec, server.url, n, config.rounds(), jvmArgs, spec + "-n" + n + "-run" + r)
            : runPython(server.url, n, config.rounds(), spec + "-n" + n + "-run" + r);
        runs.add(run);
        log.printf(Locale.ROOT, " %s", run.roundsMs());
        log.flush();
      }
      serverMaxInFlight = server.maxInFlight();
      server.sampler.sample();
      serverThreads = server.sampler.peakThreads();
      serverRss = server.sampler.peakRssKib() / 1024.0;
      serverCpu = server.sampler.cpuSeconds() / config.runs();
    }
    log.println();
    List<Double> cold = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    int failures = 0;
    int peakPlatform = -1;
    int peakOs = -1;
    double peakRss = -1;
    for (Run run : runs) {
      cold.add(run.roundsMs().get(0));
      if (run.roundsMs().size() > 1) warm.add(run.roundsMs().get(run.roundsMs().size() - 1));
      cpu.add(run.cpuS());
      failures += run.failures();
      peakPlatform = Math.max(peakPlatform, run.peakPlatformThreads());
      peakOs = Math.max(peakOs, run.peakOsThreads());
      peakRss = Math.max(peakRss, run.peakRssMib());
    }
    Spread coldSpread = Spread.of(cold);
    Spread warmSpread = Spread.of(warm);
    return new Row(spec.client().id() + (spec.aot() ? RowSpec.AOT : ""), title, spec.engine().id(), spec.protocol(),
        n, latencyMs, spec.prime(), false, note, null, coldSpread, warmSpread, coldSpread.minus(latencyMs),
        warmSpread == null ? null : warmSpread.minus(latencyMs), failures, n * config.rounds() * runs.size(),
        peakPlatform, peakOs, round1(peakRss), Spread.of(cpu), serverThreads, round1(serverRss),
        serverMaxInFlight, Math.round(serverCpu * 100) / 100.0, runs);
  }

  private Row skipped(RowSpec spec, String title, int n, String note, Double extrapolatedMs) {
    log.printf(Locale.ROOT, "%-28s N=%-6d skipped: %s%n", spec, n, note);
    return new Row(spec.client().id(), title, spec.engine().id(), spec.protocol(), n, config.latency().toMillis(),
        spec.prime(), true, note, extrapolatedMs, null, null, null, null, 0, 0, -1, -1, -1, null, -1, -1, -1, -1,
        List.of());
  }

  private Throughput runThroughput(ClientKind client) throws IOException, InterruptedException {
    RowSpec spec = new RowSpec(client, Engine.NETTY);
    log.printf(Locale.ROOT, "%-28s throughput, %d in flight, latency 0:", spec, config.throughputConcurrency());
    log.flush();
    List<Double> rps = new ArrayList<>();
    long failures = 0;
    int peakPlatform = -1;
    List<Double> cpu = new ArrayList<>();
    try (Server server = startServer(spec.engine(), Duration.ZERO, spec.http2(), spec + "-throughput")) {
      for (int r = 1; r <= config.runs(); r++) {
        List<String> args = new ArrayList<>(List.of("--throughput",
            "--concurrency", Integer.toString(config.throughputConcurrency()),
            "--warmup-ms", Long.toString(config.throughputWarmup().toMillis()),
            "--duration-ms", Long.toString(config.throughputDuration().toMillis())));
        ClientOutput out = startJavaClient(spec, server.url, List.of(), args, spec + "-throughput-run" + r);
        rps.add(out.result.get("requestsPerSecond").asDouble());
        failures += out.result.get("failures").asLong();
        peakPlatform = Math.max(peakPlatform, out.result.path("peakPlatformThreads").asInt(-1));
        cpu.add(out.result.path("cpuS").asDouble());
        log.printf(Locale.ROOT, " %.0f/s", rps.get(rps.size() - 1));
        log.flush();
      }
    }
    log.println();
    Spread cpuSpread = Spread.of(cpu);
    return new Throughput(client.id(), spec.engine().id(), spec.protocol(), config.throughputConcurrency(),
        config.throughputDuration().toMillis(), Spread.of(rps), failures, peakPlatform,
        cpuSpread == null ? -1 : cpuSpread.median(), rps);
  }

  private Run runJavaClient(RowSpec spec, String url, int n, int rounds, List<String> jvmArgs, String label)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--n", Integer.toString(n), "--rounds", Integer.toString(rounds),
        "--round-budget-ms", Long.toString(config.roundBudget().toMillis())));
    ClientOutput out = startJavaClient(spec, url, jvmArgs, args, label);
    return toRun(out, out.result.path("peakPlatformThreads").asInt(-1), clientRuntime);
  }

  private ClientOutput startJavaClient(RowSpec spec, String url, List<String> jvmArgs, List<String> extra,
      String label) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(config.clientJava());
    cmd.addAll(config.clientJvmArgs());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", config.classpath(), MAIN_CLASS, "client", "--client", spec.client().id(), "--url", url));
    if (spec.prime()) cmd.add("--prime");
    cmd.addAll(extra);
    return runClientProcess(cmd, label);
  }

  private Run runPython(String url, int n, int rounds, String label) throws IOException, InterruptedException {
    Path script = Scripts.copy(Scripts.AIOHTTP_FANOUT, config.outDir());
    List<String> cmd = List.of(config.python(), script.toString(), url, Integer.toString(n), Integer.toString(rounds),
        Long.toString(config.roundBudget().toMillis()));
    ClientOutput out = runClientProcess(cmd, label);
    return toRun(out, -1, "Python " + out.result.path("python").asText() + ", aiohttp "
        + out.result.path("aiohttp").asText());
  }

  private Run toRun(ClientOutput out, int peakPlatformThreads, String runtime) {
    List<Double> rounds = new ArrayList<>();
    int failures = 0;
    for (JsonNode r : out.result.get("rounds")) {
      rounds.add(r.get("wallMs").asDouble());
      failures += r.get("failures").asInt();
    }
    long rssKib = Math.max(out.result.path("peakRssKib").asLong(-1), out.peakRssKib);
    double cpu = out.result.has("cpuS") ? out.result.get("cpuS").asDouble() : out.cpuSeconds;
    Double primeMs = out.result.has("primeMs") ? out.result.get("primeMs").asDouble() : null;
    return new Run(rounds, failures, peakPlatformThreads, out.peakOsThreads, round1(rssKib / 1024.0),
        Math.round(cpu * 100) / 100.0, primeMs, runtime);
  }

  /** Runs a client process to its end, sampling it, and returns its RESULT line parsed. */
  private ClientOutput runClientProcess(List<String> cmd, String label) throws IOException, InterruptedException {
    Path err = config.outDir().resolve("logs").resolve(label + ".client.log");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    try (ProcSampler sampler = new ProcSampler(p.pid(), SAMPLE_MILLIS)) {
      CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> readLines(p.getInputStream()));
      if (!p.waitFor(config.processTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("client " + label + " did not finish within " + config.processTimeout()
            + "; its log: " + err);
      }
      List<String> out = lines.get(10, TimeUnit.SECONDS);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("client " + label + " exited with " + p.exitValue() + "; its log: " + err
            + "\n" + tail(err));
      }
      String result = out.stream().filter(l -> l.startsWith(ResultLine.PREFIX)).reduce((a, b) -> b)
          .orElseThrow(() -> new IllegalStateException("client " + label + " printed no RESULT line: " + out));
      return new ClientOutput(ResultLine.parse(result).orElseThrow(), sampler.peakThreads(), sampler.peakRssKib(),
          sampler.cpuSeconds());
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("could not read the output of client " + label, e);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Runs {@code fanout-bench ARGS} in a client JVM ({@code --java}, its JVM arguments) to its end and returns
   * its {@code RESULT} line, parsed.
   */
  JsonNode runJava(List<String> args, String label) throws IOException, InterruptedException {
    Files.createDirectories(config.outDir().resolve("logs"));
    List<String> cmd = new ArrayList<>();
    cmd.add(config.clientJava());
    cmd.addAll(config.clientJvmArgs());
    cmd.addAll(List.of("-cp", config.classpath(), MAIN_CLASS));
    cmd.addAll(args);
    return runClientProcess(cmd, label).result;
  }

  private record ClientOutput(JsonNode result, int peakOsThreads, long peakRssKib, double cpuSeconds) {}

  /** Starts a backend JVM and waits for its {@code Listening on} line. */
  Server startServer(Engine engine, Duration latency, boolean http2, String label)
      throws IOException, InterruptedException {
    return startServer(engine, latency, http2, label, List.of());
  }

  /** As {@link #startServer(Engine, Duration, boolean, String)}, with {@code extra} arguments to {@code server}. */
  Server startServer(Engine engine, Duration latency, boolean http2, String label, List<String> extra)
      throws IOException, InterruptedException {
    Files.createDirectories(config.outDir().resolve("logs"));
    List<String> cmd = new ArrayList<>();
    cmd.add(config.serverJava());
    cmd.addAll(config.serverJvmArgs());
    cmd.addAll(List.of("-cp", config.classpath(), MAIN_CLASS, "server", "--engine", engine.id(),
        "--port", "0", "--latency", latency.toMillis() + "ms"));
    if (http2) cmd.add("--http2");
    cmd.addAll(extra);
    Path err = config.outDir().resolve("logs").resolve(label + ".server.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    Server server = null;
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
        try {
          StringBuilder seen = new StringBuilder();
          for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith(Processes.LISTENING)) return line.substring(Processes.LISTENING.length()).trim();
            seen.append(line).append('\n');
          }
          throw new IllegalStateException("backend exited before listening:\n" + seen);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      String url;
      try {
        url = first.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("backend " + label + " did not start listening: " + e.getMessage(), e);
      }
      if (url.endsWith("/")) url = url.substring(0, url.length() - 1);
      // Keep draining the backend's output into its log so it never blocks on a full pipe.
      Thread drain = new Thread(() -> {
        try (var w = Files.newBufferedWriter(err, StandardCharsets.UTF_8)) {
          for (String line; (line = reader.readLine()) != null; ) {
            w.write(line);
            w.newLine();
          }
        } catch (IOException ignored) {
          // The backend was stopped.
        }
      }, "drain-" + label);
      drain.setDaemon(true);
      drain.start();
      server = new Server(p, url, http2, new ProcSampler(p.pid(), SAMPLE_MILLIS * 5));
      return server;
    } finally {
      if (server == null) p.destroyForcibly();
    }
  }

  /** A running backend JVM; closing it stops the process. */
  final class Server implements AutoCloseable {
    final Process process;
    final String url;
    final boolean http2;
    final ProcSampler sampler;

    Server(Process process, String url, boolean http2, ProcSampler sampler) {
      this.process = process;
      this.url = url;
      this.http2 = http2;
      this.sampler = sampler;
    }

    /** The backend's own count of the most requests it held at once, from {@code GET /__admin/stats}; -1 if unknown. */
    long maxInFlight() {
      Request request = new Request.Builder().url(url + "/__admin/stats").build();
      try (Response r = (http2 ? adminH2 : admin).newCall(request).execute()) {
        if (r.code() != 200) return -1;
        return json.readTree(r.body().string()).path("maxInFlight").asLong(-1);
      } catch (IOException e) {
        return -1;
      }
    }

    /** Stops the backend (SIGTERM, then SIGKILL after 10 s); an interrupt kills it at once and is kept. */
    @Override
    public void close() {
      sampler.close();
      Processes.stop(process, Processes.STOP_GRACE);
    }
  }

  private Map<String, Integer> maxNById() {
    Map<String, Integer> m = new TreeMap<>();
    config.maxN().forEach((k, v) -> m.put(k.id(), v));
    return m;
  }

  private static List<String> readLines(InputStream in) {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) lines.add(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static double round1(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
