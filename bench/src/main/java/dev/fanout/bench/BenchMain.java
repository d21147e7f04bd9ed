package dev.fanout.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fanout.bench.cli.JavaOption;
import dev.fanout.bench.cli.RoundsOption;
import dev.fanout.bench.cli.ServerJavaOption;
import dev.fanout.bench.client.ClientCommand;
import dev.fanout.bench.harness.BenchReport;
import dev.fanout.bench.harness.Harness;
import dev.fanout.bench.harness.HarnessConfig;
import dev.fanout.bench.harness.MarkdownReport;
import dev.fanout.bench.harness.ReportCommand;
import dev.fanout.bench.harness.RowSpec;
import dev.fanout.bench.harness.SvgPlot;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.bench.server.ServerCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The benchmark's command line: {@code java -jar bench/target/fanout-bench.jar [options]} runs the whole
 * benchmark, starting a backend JVM and client processes of its own; {@code server} and {@code client}
 * are the halves it starts.
 */
@Command(name = "fanout-bench", mixinStandardHelpOptions = true, version = "fanout-bench 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    subcommands = {ServerCommand.class, ClientCommand.class, ReportCommand.class,
        dev.fanout.bench.harness.TailCommand.class, dev.fanout.bench.client.TailClientCommand.class,
        dev.fanout.bench.metered.MeteredCommand.class, dev.fanout.bench.metered.MeteredClient.class,
        dev.fanout.bench.stream.StreamCommand.class, dev.fanout.bench.jobs.JobsCommand.class},
    description = {
        "Fan-out benchmark: N user lookups at a fixed latency with Fanout's client and the alternatives, "
            + "each client in its own process, the simulated backend in another JVM.",
        "Writes bench.json, bench.md, bench-wall.svg and logs/ to --out. See docs/benchmarks.md."})
public final class BenchMain implements Callable<Integer> {
  /**
   * The rows run by default: every client against the scale engine, and Fanout h2c also from an AOT cache and
   * against MockWebServer.
   */
  public static final String DEFAULT_ROWS =
      "fanout@netty,fanout-h2c@netty,fanout-h2c+aot@netty,fanout-h2c@mockwebserver,okhttp@netty,jdk@netty,aiohttp@netty";

  @Option(names = "--n", split = ",", paramLabel = "N", defaultValue = "6,100,1000,10000",
      description = "Fan-out sizes. Defaults to ${DEFAULT-VALUE}.")
  List<Integer> ns;

  @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "Backend latency per call. Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--rows", split = ",", paramLabel = "CLIENT@ENGINE", defaultValue = DEFAULT_ROWS,
      description = "Rows as client@engine; clients: fanout, fanout-h2c, fanout-n (HTTP/1.1, maxInFlight=N), okhttp, okhttp-n (its Dispatcher sized to N), okhttp-vt (okhttp-n on virtual threads, Java 21+), jdk, aiohttp; "
          + "a +aot suffix on a JVM client starts it from a JDK 25 AOT cache trained by one unmeasured run; engines: netty, mockwebserver. Defaults to ${DEFAULT-VALUE}.")
  List<String> rows;

  @Option(names = "--runs", paramLabel = "RUNS", defaultValue = "3",
      description = "Client processes per row and N (median and spread over them). Defaults to ${DEFAULT-VALUE}.")
  int runs;

  @Mixin
  RoundsOption rounds;

  @Option(names = "--max-n", split = ",", paramLabel = "CLIENT=N", defaultValue = "okhttp=100,fanout=1000",
      description = "Largest N run per client, as client=N; larger ones are skipped and, for the clients whose "
          + "bound says how long they take (okhttp: 5 per host, fanout: maxInFlight 1,024), extrapolated. "
          + "Defaults to ${DEFAULT-VALUE}.")
  Map<String, Integer> maxN;

  @Option(names = "--round-budget", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
      description = "A client process stops after round 2 or later once its rounds have taken this long, so "
          + "slow rows report round 2 as warm. Defaults to ${DEFAULT-VALUE}.")
  Duration roundBudget;

  @Mixin
  JavaOption clientJava;

  @Mixin
  ServerJavaOption serverJava;

  @Option(names = "--client-jvm-arg", paramLabel = "ARG", description = "An extra option for client JVMs (repeatable). Defaults to none.")
  List<String> clientJvmArgs = new ArrayList<>();

  @Option(names = "--server-jvm-arg", paramLabel = "ARG", description = "An extra option for the backend JVM (repeatable). Defaults to none.")
  List<String> serverJvmArgs = new ArrayList<>();

  @Option(names = "--python", paramLabel = "PYTHON", defaultValue = "/usr/bin/python3",
      description = "Python with aiohttp for the aiohttp rows; rows are skipped with a note when it cannot import "
          + "aiohttp. Defaults to ${DEFAULT-VALUE}.")
  String python;

  @Option(names = "--no-python", description = "Skip the aiohttp rows. Defaults to false.")
  boolean noPython;

  @Option(names = "--throughput-concurrency", paramLabel = "N", defaultValue = "64",
      description = "Requests in flight in the zero-latency throughput rows. Defaults to ${DEFAULT-VALUE}.")
  int throughputConcurrency;

  @Option(names = "--throughput-warmup", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "Unmeasured warm-up of each throughput run: long enough for a Java 17 client's JIT to finish "
          + "compiling the call path on a small loaded machine. Defaults to ${DEFAULT-VALUE}.")
  Duration throughputWarmup;

  @Option(names = "--throughput-duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "Measured time of each throughput run; 0 skips the throughput rows. Defaults to ${DEFAULT-VALUE}.")
  Duration throughputDuration;

  @Option(names = "--process-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
      description = "Longest a client process may run. Defaults to ${DEFAULT-VALUE}.")
  Duration processTimeout;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
      description = "Directory for bench.json, bench.md, bench-wall.svg and logs/. Defaults to ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<RowSpec> specs = new ArrayList<>();
    for (String r : rows) specs.add(RowSpec.parse(r));
    String java = clientJava.launcher();
    Map<ClientKind, Integer> caps = new EnumMap<>(ClientKind.class);
    maxN.forEach((client, n) -> caps.put(ClientKind.of(client), n));
    HarnessConfig config = new HarnessConfig(specs, ns, latency, runs, rounds.rounds(), caps, roundBudget, java,
        serverJava.launcher(clientJava), clientJvmArgs, serverJvmArgs, ChildJvms.classpath(),
        noPython ? null : python, throughputConcurrency, throughputWarmup, throughputDuration, processTimeout,
        out, commandLine());
    BenchReport report = new Harness(config, System.out).run();
    Files.createDirectories(out);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    json.writeValue(out.resolve("bench.json").toFile(), report);
    Files.writeString(out.resolve("bench-wall.svg"), SvgPlot.render(report), StandardCharsets.UTF_8);
    Markdown.writeAndPrint(out.resolve("bench.md"), MarkdownReport.render(report));
    System.out.println("\nWrote " + out.resolve("bench.json") + ", bench.md and bench-wall.svg");
    return 0;
  }

  private String commandLine() {
    return ProcessHandle.current().info().commandLine().orElse("fanout-bench");
  }

  public static void main(String[] args) {
    // A later --out (or any option) overrides an earlier one, so scripts/bench.sh can set defaults.
    System.exit(new CommandLine(new BenchMain()).setOverwrittenOptionsAllowed(true).execute(args));
  }
}
