package dev.fanout.bench.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.ChildJvms;
import dev.fanout.bench.Processes;
import dev.fanout.bench.Scripts;
import dev.fanout.bench.harness.BenchReport.Spread;
import dev.fanout.bench.harness.Machines;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * TLS + HTTP/2 fan-outs, cold and warm, per client, before two fronts: the mock's own TLS mode (Netty engine,
 * the stream limit nginx announces, 128) and nginx as an independent TLS front before the mock in cleartext.
 * Each client runs in a process of its own (so round 1 is the process's first fan-out, to a host it has never
 * connected to) against a fresh backend (and a fresh nginx); between rounds this driver reads the connections
 * the front accepted (the mock's count, or nginx's {@code stub_status}).
 *
 * <pre>
 * java -cp bench/target/fanout-bench.jar dev.fanout.bench.tls.TlsColdWarm [--n 1000] [--latency-ms 1000]
 *     [--streams 128] [--clients fanout,okhttp,jdk,aiohttp] [--fronts mock,nginx] [--runs 1] [--rounds 2]
 *     [--java JAVA] [--python /usr/bin/python3] [--nginx /usr/sbin/nginx] [--goaway-after K] [--reload-at-ms MS]
 * </pre>
 * {@code --goaway-after K} makes either front send GOAWAY on a connection after K requests (nginx's {@code
 * keepalive_requests}, the mock's {@code goAwayAfterStreams});
 * {@code --reload-at-ms MS} runs {@code nginx -s reload} MS after the last round starts (old workers send GOAWAY).
 * Rows whose tool is missing (Python with aiohttp, httpx, nginx) are skipped with a note. Each client's stderr
 * and nginx's generated configuration stay in a temporary directory the last line names.
 */
public final class TlsColdWarm {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PYTHON_KINDS = List.of("aiohttp", "httpx");

  private TlsColdWarm() {}

  record Options(int n, long latencyMs, int streams, List<String> clients, List<String> fronts, int runs, int rounds,
      String java, String python, String nginx, int goawayAfter, long reloadAtMs) {}

  record Round(double wallSeconds, long connections, int failures, long calls, long attempts) {}

  record Row(int run, String front, String client, List<Round> rounds) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    // the backend's Netty logs a failed handshake per connection a client drops mid-handshake; the rows count those
    System.setProperty("org.slf4j.simpleLogger.log.io.netty", "error");
    Path work = Files.createTempDirectory("tls-cold-warm");
    List<String> fronts = new ArrayList<>(o.fronts());
    List<String> notes = new ArrayList<>();
    if (fronts.contains("nginx") && NginxFront.version(o.nginx()) == null) {
      fronts.remove("nginx");
      notes.add("nginx rows skipped: cannot run " + o.nginx() + " (apt-get install nginx-light)");
    }
    List<String> clients = new ArrayList<>(o.clients());
    if (clients.stream().anyMatch(PYTHON_KINDS::contains) && !Processes.canImport(o.python(), "aiohttp")) {
      clients.removeAll(PYTHON_KINDS);
      notes.add("Python rows skipped: " + o.python() + " cannot import aiohttp (apt-get install python3-aiohttp)");
    }
    if (clients.contains("httpx") && !Processes.canImport(o.python(), "httpx, h2")) {
      clients.remove("httpx");
      notes.add("httpx row skipped: " + o.python() + " cannot import httpx and h2 (apt-get install python3-httpx "
          + "python3-h2)");
    }
    Path script = Scripts.copy(Scripts.AIOHTTP_FANOUT, work);
    System.out.printf("N=%d latency=%d ms, TLS + HTTP/2 at %d streams per connection, clients on %s; %d run(s)%n",
        o.n(), o.latencyMs(), o.streams(), Machines.javaVersion(o.java()), o.runs());
    System.out.println("load average before: " + Machines.loadAverage());
    notes.forEach(n -> System.out.println("note: " + n));
    warmUpBackend(o);
    List<Row> rows = new ArrayList<>();
    System.out.println("| run | front | client | cold wall s | cold connections | cold failed | warm wall s "
        + "| warm new connections | warm failed | attempts beyond one per call |");
    System.out.println("|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
    for (int run = 1; run <= o.runs(); run++) {
      for (String front : fronts) {
        for (String client : clients) {
          Row row = runRow(o, work.resolve("run" + run + "-" + front + "-" + client), script, run, front, client);
          rows.add(row);
          Round cold = row.rounds().get(0);
          Round warm = row.rounds().get(row.rounds().size() - 1);
          long extra = row.rounds().stream().mapToLong(r -> r.attempts() - r.calls()).sum();
          System.out.printf(Locale.ROOT, "| %d | %s | %s | %.3f | %d | %d | %.3f | %d | %d | %s |%n", run, front,
              client, cold.wallSeconds(), cold.connections(), cold.failures(), warm.wallSeconds(), warm.connections(),
              warm.failures(), client.equals("fanout") ? Long.toString(extra) : "—");
        }
      }
    }
    System.out.println();
    System.out.println("Medians over " + o.runs() + " run(s):");
    System.out.println("| front | client | cold wall s | warm wall s | cold connections | failures |");
    System.out.println("|---|---|--:|--:|--:|--:|");
    Map<String, Double> coldMedian = new LinkedHashMap<>();
    for (String front : fronts) {
      for (String client : clients) {
        List<Row> mine = rows.stream().filter(r -> r.front().equals(front) && r.client().equals(client)).toList();
        double cold = Spread.median(mine, r -> r.rounds().get(0).wallSeconds());
        double warm = Spread.median(mine, r -> r.rounds().get(r.rounds().size() - 1).wallSeconds());
        double conns = Spread.median(mine, r -> (double) r.rounds().get(0).connections());
        int failures = mine.stream().flatMap(r -> r.rounds().stream()).mapToInt(Round::failures).sum();
        coldMedian.put(front + "/" + client, cold);
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.0f | %d |%n", front, client, cold, warm, conns,
            failures);
      }
      List<Row> fanout = rows.stream().filter(r -> r.front().equals(front) && r.client().equals("fanout")).toList();
      if (!fanout.isEmpty() && (o.goawayAfter() > 0 || (o.reloadAtMs() > 0 && front.equals("nginx")))) {
        boolean ok = fanout.stream().flatMap(r -> r.rounds().stream())
            .allMatch(r -> r.failures() == 0 && r.attempts() == r.calls());
        System.out.println(front + ": GOAWAY check (every call ok, one attempt per call, every round of every run): "
            + (ok ? "passed" : "FAILED"));
      }
      Double f = coldMedian.get(front + "/fanout");
      Double a = coldMedian.get(front + "/aiohttp");
      if (f != null && a != null) {
        System.out.printf(Locale.ROOT, "%s: Fanout cold / aiohttp cold = %.2f; connections allowed in the cold round: "
            + "%d%n", front, f / a, 2 * ((o.n() + o.streams() - 1) / o.streams()));
      }
    }
    System.out.println("load average after: " + Machines.loadAverage());
    System.out.println("each client's log, and nginx's configuration and error log: " + work);
  }

  private static Row runRow(Options o, Path dir, Path script, int run, String front, String client)
      throws Exception {
    Files.createDirectories(dir);
    boolean nginx = front.equals("nginx");
    MockBackend.Builder b = MockBackend.builder().engine(Engine.NETTY).recordedRequests(0)
        .latency(Latency.fixed(Duration.ofMillis(o.latencyMs())));
    if (!nginx) b.tls(true).maxConcurrentStreams(o.streams()).goAwayAfterStreams(o.goawayAfter());
    try (MockBackend backend = b.start()) {
      NginxFront nginxFront = null;
      try {
        String url;
        ConnectionCount count;
        Path ca = dir.resolve("ca.pem");
        if (nginx) {
          dev.fanout.mock.MockTls tls = dev.fanout.mock.MockTls.generate("127.0.0.1");
          Files.writeString(ca, tls.caCertificatePem());
          nginxFront = NginxFront.start(o.nginx(), dir.resolve("nginx"), URI.create(backend.url()).getPort(), tls,
              o.streams(), o.goawayAfter(), o.n());
          url = nginxFront.url();
          count = nginxFront::accepted;
        } else {
          backend.tlsCertificates().writeCaCertificate(ca);
          url = backend.url();
          count = () -> backend.connectionStats().accepted();
        }
        List<String> cmd = new ArrayList<>();
        if (PYTHON_KINDS.contains(client)) {
          cmd.addAll(List.of(o.python(), script.toString(), url, Integer.toString(o.n()), Integer.toString(o.rounds()),
              "0", "--ca", ca.toString(), "--pause"));
          if (client.equals("httpx")) cmd.add("--httpx");
        } else {
          cmd.addAll(List.of(o.java(), "-cp", System.getProperty("java.class.path"), TlsClient.class.getName(), client,
              url, ca.toString(), Integer.toString(o.n()), Integer.toString(o.rounds())));
        }
        return new Row(run, front, client, drive(cmd, dir.resolve("client.log"), count, o,
            nginxFront));
      } finally {
        if (nginxFront != null) nginxFront.close();
      }
    }
  }

  interface ConnectionCount {
    long get() throws IOException;
  }

  /** Runs a client process, reading the front's connection count after each of its rounds. */
  private static List<Round> drive(List<String> cmd, Path log, ConnectionCount count, Options o, NginxFront nginx)
      throws Exception {
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    List<Round> rounds = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      long before = count.get();
      String line;
      while (rounds.size() < o.rounds() && (line = out.readLine()) != null) {
        if (!line.startsWith("ROUND ")) continue;
        JsonNode r = JSON.readTree(line.substring("ROUND ".length()));
        long now = count.get();
        rounds.add(new Round(r.get("wallMs").asDouble() / 1000, now - before, r.get("failures").asInt(),
            r.path("calls").asLong(0), r.path("attempts").asLong(0)));
        before = now;
        if (rounds.size() < o.rounds()) {
          in.write("\n");
          in.flush();
          if (nginx != null && o.reloadAtMs() > 0 && rounds.size() == o.rounds() - 1) {
            CompletableFuture.delayedExecutor(o.reloadAtMs(), TimeUnit.MILLISECONDS).execute(() -> {
              try {
                nginx.reload();
              } catch (Exception e) {
                System.out.println("note: " + e.getMessage());
              }
            });
          }
        }
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || rounds.size() < o.rounds()) {
        throw new IllegalStateException("client " + cmd + " failed; its log " + log + ":\n" + Files.readString(log));
      }
      return rounds;
    } finally {
      p.destroyForcibly();
    }
  }

  /** One unmeasured fan-out so the first measured row does not meet a backend JVM that has compiled nothing. */
  private static void warmUpBackend(Options o) throws Exception {
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).maxConcurrentStreams(o.streams())
        .latency(Latency.none()).recordedRequests(0).start();
        TlsClient.Target t = TlsClient.target("fanout", backend.url(), backend.tlsCertificates().caCertificatePem(),
            o.n())) {
      for (int round = 0; round < 3; round++) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 1; i <= Math.min(o.n(), 500); i++) calls.add(t.fetch(i));
        for (CompletableFuture<?> f : calls) {
          try {
            f.get(60, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            // a failed warm-up call warmed the backend all the same
          }
        }
      }
    }
  }

  static Options parse(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got: " + String.join(" ", args));
      }
      a.put(args[i].substring(2), args[i + 1]);
    }
    List<String> known = List.of("n", "latency-ms", "streams", "clients", "fronts", "runs", "rounds", "java", "python",
        "nginx", "goaway-after", "reload-at-ms");
    for (String k : a.keySet()) {
      if (!known.contains(k)) throw new IllegalArgumentException("unknown option --" + k + "; known: " + known);
    }
    List<String> clients = List.of(a.getOrDefault("clients", "fanout,okhttp,jdk,aiohttp").split(","));
    for (String c : clients) {
      if (!TlsClient.KINDS.contains(c) && !PYTHON_KINDS.contains(c)) {
        throw new IllegalArgumentException("unknown client: " + c + "; known: " + TlsClient.KINDS + " " + PYTHON_KINDS);
      }
    }
    List<String> fronts = List.of(a.getOrDefault("fronts", "mock,nginx").split(","));
    for (String f : fronts) {
      if (!f.equals("mock") && !f.equals("nginx")) throw new IllegalArgumentException("unknown front: " + f + " (mock, nginx)");
    }
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
    if (rounds < 2) throw new IllegalArgumentException("rounds < 2: " + rounds + " (round 1 is cold, the last warm)");
    return new Options(Integer.parseInt(a.getOrDefault("n", "1000")), Long.parseLong(a.getOrDefault("latency-ms", "1000")),
        Integer.parseInt(a.getOrDefault("streams", "128")), clients, fronts, Integer.parseInt(a.getOrDefault("runs", "1")),
        rounds, ChildJvms.launcher(a.get("java")),
        a.getOrDefault("python", "/usr/bin/python3"), a.getOrDefault("nginx", NginxFront.DEFAULT_NGINX),
        Integer.parseInt(a.getOrDefault("goaway-after", "0")), Long.parseLong(a.getOrDefault("reload-at-ms", "0")));
  }
}
