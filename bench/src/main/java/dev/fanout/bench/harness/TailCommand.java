package dev.fanout.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.bench.ChildJvms;
import dev.fanout.bench.ClientKind;
import dev.fanout.bench.Markdown;
import dev.fanout.bench.cli.EngineOption;
import dev.fanout.bench.cli.JavaOption;
import dev.fanout.bench.cli.ServerJavaOption;
import dev.fanout.bench.cli.TailOptions;
import dev.fanout.bench.harness.BenchReport.Spread;
import dev.fanout.common.Durations;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.cli.Tail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The tail workload: N user lookups against a backend where a seeded share of responses take the
 * tail latency, without hedging and with each {@code --hedges} policy. Every run is a fresh backend JVM and a
 * fresh client JVM ({@code tail-client}); runs of the policies are interleaved, so a busy moment of the
 * machine does not fall on one policy. Reports, per policy, the cold (first) and warm (last) round's median
 * over the runs: per-call p50 and p99, wall time, extra load (requests the backend saw beyond N), hedges
 * sent and won, and the responses the backend cut short because the client cancelled them.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Tail workload: p50/p99/wall/extra load with and without hedging; writes tail.json and tail.md.")
public final class TailCommand implements Callable<Integer> {
  @Mixin
  TailOptions workload;

  @Option(names = "--latency", defaultValue = "100ms", converter = DurationConverter.class,
      description = "Latency of a response outside the tail. Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--tail", defaultValue = "0.03:3s", converter = Tail.Converter.class,
      description = "Share of responses in the tail and their latency. Defaults to ${DEFAULT-VALUE}.")
  Tail tail;

  @Option(names = "--hedges", split = ",", defaultValue = "none,200ms,auto",
      description = "Policies: none, a fixed delay, auto. Defaults to ${DEFAULT-VALUE}.")
  List<String> hedges;

  @Option(names = "--runs", defaultValue = "3", description = "Runs per policy (median over them). Defaults to ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--rounds", defaultValue = "4",
      description = "Fan-outs per client JVM: round 1 is cold, the last warm. Defaults to ${DEFAULT-VALUE}.")
  int rounds;

  @Mixin
  EngineOption engine;

  @Mixin
  JavaOption clientJava;

  @Mixin
  ServerJavaOption serverJava;

  @Option(names = "--out", defaultValue = "bench-results", description = "Output directory. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    int n = workload.n();
    double budget = workload.budget();
    String java = clientJava.launcher();
    String cp = ChildJvms.classpath();
    HarnessConfig config = new HarnessConfig(List.of(new RowSpec(ClientKind.FANOUT_N, engine.engine())), List.of(n),
        latency, runs, rounds, Map.of(), Duration.ZERO, java, serverJava.launcher(clientJava), List.of(), List.of(), cp, null,
        1, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5), out,
        ProcessHandle.current().info().commandLine().orElse("fanout-bench tail"));
    Harness harness = new Harness(config, System.out);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode report = json.createObjectNode();
    report.put("started", Instant.now().toString());
    report.put("command", config.command());
    report.put("n", n);
    report.put("latencyMs", latency.toMillis());
    report.put("tail", tail.toString());
    report.put("budget", budget);
    report.put("cpu", Machines.cpuModel());
    report.put("clientJava", Machines.javaVersion(java));
    report.put("serverJava", Machines.javaVersion(config.serverJava()));
    report.put("loadBefore", Machines.loadAverage());
    Map<String, List<JsonNode>> byPolicy = new LinkedHashMap<>();
    hedges.forEach(h -> byPolicy.put(h, new ArrayList<>()));
    for (int run = 1; run <= runs; run++) {
      for (String hedge : hedges) {
        String label = "tail-" + hedge + "-run" + run;
        System.out.println("tail: " + hedge + ", run " + run + " of " + runs);
        try (Harness.Server server = harness.startServer(engine.engine(), latency, false, label,
            List.of("--tail", tail.toString(), "--seed", Integer.toString(run)))) {
          List<String> args = new ArrayList<>(List.of("tail-client", "--url", server.url,
              "--rounds", Integer.toString(rounds), "--hedge", hedge));
          args.addAll(workload.args());
          JsonNode result = harness.runJava(args, label);
          byPolicy.get(hedge).add(result);
        }
      }
    }
    report.put("loadAfter", Machines.loadAverage());
    ArrayNode policies = report.putArray("policies");
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%d lookups, %s of responses at %s, the rest at %d ms; %d runs of %d rounds "
        + "(median over runs; cold = round 1, warm = round %d); budget %.0f%%.%n%n", n, tail.share(),
        Durations.format(tail.delay()), latency.toMillis(), runs, rounds, rounds, budget * 100));
    md.append("| Hedging | Round | p50 s | p99 s | Wall s | Extra requests | Hedges sent / won | Losers at the server: reached / cut short | Failures |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Map.Entry<String, List<JsonNode>> e : byPolicy.entrySet()) {
      ObjectNode p = policies.addObject();
      p.put("hedge", e.getKey());
      p.set("runs", json.valueToTree(e.getValue()));
      for (boolean cold : new boolean[] {true, false}) {
        List<JsonNode> picked = new ArrayList<>();
        for (JsonNode r : e.getValue()) {
          JsonNode rs = r.get("rounds");
          picked.add(rs.get(cold ? 0 : rs.size() - 1));
        }
        ObjectNode m = p.putObject(cold ? "cold" : "warm");
        double p50 = Spread.median(picked, x -> x.get("p50Ms").asDouble());
        double p99 = Spread.median(picked, x -> x.get("p99Ms").asDouble());
        double wall = Spread.median(picked, x -> x.get("wallMs").asDouble());
        double extra = Spread.median(picked, x -> 100.0 * (x.get("serverRequests").asDouble() - n) / n);
        double sent = Spread.median(picked, x -> x.get("hedgesSent").asDouble());
        double won = Spread.median(picked, x -> x.get("hedgesWon").asDouble());
        double aborted = Spread.median(picked, x -> x.get("serverAborted").asDouble());
        double reached = Spread.median(picked, x -> x.get("serverRequests").asDouble() - n);
        long failures = picked.stream().mapToLong(x -> x.get("failures").asLong()).sum();
        // Each hedged call has one loser; those that reached the backend (its requests beyond N) must all have
        // been cut short there. A loser cancelled before it reached the backend never ran.
        boolean everyLoserCut = picked.stream()
            .allMatch(x -> x.get("serverAborted").asLong() == x.get("serverRequests").asLong() - n);
        m.put("p50Ms", p50).put("p99Ms", p99).put("wallMs", wall).put("extraPercent", extra).put("hedgesSent", sent)
            .put("hedgesWon", won).put("serverAborted", aborted).put("losersReached", reached).put("failures", failures)
            .put("everyLoserCutShort", everyLoserCut);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.1f%% | %.0f / %.0f | %s | %d |%n",
            e.getKey().equals("none") ? "none" : e.getKey().equals("auto") ? "auto (p95)" : "fixed " + e.getKey(),
            cold ? "cold" : "warm", p50 / 1000, p99 / 1000, wall / 1000, extra, sent, won,
            e.getKey().equals("none") ? "—" : String.format(Locale.ROOT, "%.0f / %.0f%s", reached, aborted,
                everyLoserCut ? " (all, every run)" : " (not all in every run)"), failures));
      }
    }
    Files.createDirectories(out);
    json.writeValue(out.resolve("tail.json").toFile(), report);
    Markdown.writeAndPrint(out.resolve("tail.md"), md);
    System.out.println("\nWrote " + out.resolve("tail.json") + " and tail.md");
    return 0;
  }
}
