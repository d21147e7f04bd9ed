package dev.fanout.flink.bench;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.FanoutClientSpec;
import dev.fanout.flink.FanoutAsyncConfig;
import dev.fanout.flink.FanoutAsyncFunction;
import dev.fanout.flink.FanoutAsyncStream;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures what Flink's Async I/O adds to a Fanout enrichment: the same user lookups, at the same maxInFlight,
 * through a Flink job on a running MiniCluster and through the SDK alone ({@code Fanout.all} bounded to the
 * maxInFlight), against one simulated backend with a fixed latency. Prints a Markdown table of medians.
 *
 * <pre>
 * ./mvnw -q -pl flink test-compile exec:exec -Dexec.skip=false -Dflink.job.scope=test \
 *     -Dflink.job.main=dev.fanout.flink.bench.FlinkOverheadBenchmark -Dflink.job.args="--calls 10000 --max-in-flight 100"
 * </pre>
 *
 * <p>The Flink figure is the wall time of one job from submission to its last result on a warm cluster (as a
 * job submitted to a running cluster would see it): graph translation, scheduling, deployment, the subtask's
 * client built in {@code open}, every call, and the results collected back to the client. The SDK figure is
 * the wall time from building a client to the last result.
 */
@Command(name = "flink-overhead", mixinStandardHelpOptions = true,
    description = "Flink Async I/O vs the SDK alone: the same calls at the same maxInFlight.")
public final class FlinkOverheadBenchmark implements Callable<Integer> {
  @Option(names = "--calls", description = "User lookups per run. Default: ${DEFAULT-VALUE}.")
  int calls = 10_000;

  @Option(names = "--max-in-flight", description = "Calls in flight, for both. Default: ${DEFAULT-VALUE}.")
  int maxInFlight = 100;

  @Option(names = "--latency-ms", split = ",", description = "Backend latencies to measure. Default: 20,50,100.")
  List<Integer> latencies = List.of(20, 50, 100);

  @Option(names = "--runs", description = "Measured runs of each, after one warm-up. Default: ${DEFAULT-VALUE}.")
  int runs = 5;

  private FlinkOverheadBenchmark() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new FlinkOverheadBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(new Configuration())
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(1)
        .build());
    cluster.start();
    TestStreamEnvironment.setAsContext(cluster, 1);
    try {
      System.out.printf(Locale.ROOT, "%d user lookups per run, maxInFlight %d, parallelism 1, median of %d runs after a warm-up; %d cores, Java %s%n%n",
          calls, maxInFlight, runs, Runtime.getRuntime().availableProcessors(), Runtime.version());
      System.out.println("| backend latency | ideal (calls / maxInFlight x latency) | SDK alone | Flink Async I/O | Flink overhead |");
      System.out.println("|---:|---:|---:|---:|---:|");
      for (int latencyMs : latencies) {
        try (MockBackend backend = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(latencyMs)))
            .recordedRequests(0)
            .start()) {
          List<Double> sdk = new ArrayList<>();
          List<Double> flink = new ArrayList<>();
          sdkRun(backend);
          flinkRun(backend);
          for (int i = 0; i < runs; i++) { // interleaved, so drift affects both alike
            sdk.add(sdkRun(backend));
            flink.add(flinkRun(backend));
          }
          double s = median(sdk);
          double f = median(flink);
          double ideal = (double) calls / maxInFlight * latencyMs / 1000.0;
          System.out.printf(Locale.ROOT, "| %d ms | %.2f s | %.2f s | %.2f s | %+.2f s (%+.1f%%) |%n",
              latencyMs, ideal, s, f, f - s, (f / s - 1) * 100);
        }
      }
      return 0;
    } finally {
      TestStreamEnvironment.unsetAsContext();
      cluster.closeAsync().get(30, TimeUnit.SECONDS);
    }
  }

  private FanoutAsyncConfig config(MockBackend backend) {
    return FanoutAsyncConfig.builder()
        .spec(FanoutClientSpec.builder().baseUrl(backend.url()).maxInFlight(maxInFlight).retryPolicy(RetryPolicy.defaults()).build())
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  private double sdkRun(MockBackend backend) throws Exception {
    List<Long> ids = LongStream.rangeClosed(1, calls).boxed().toList();
    long start = System.nanoTime();
    List<User> users;
    try (FanoutClient client = config(backend).newClient()) {
      users = Fanout.all(ids, (id, context) -> client.users().getAsync(id),
          FanoutOptions.builder().maxConcurrency(maxInFlight).build()).get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    check(users.size());
    return seconds;
  }

  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  private double flinkRun(MockBackend backend) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    long start = System.nanoTime();
    int n = 0;
    FanoutAsyncFunction<Long, User> lookup =
        FanoutAsyncFunction.of(config(backend), (client, id) -> client.users().getAsync(id));
    try (CloseableIterator<User> it =
        FanoutAsyncStream.apply(env.fromSequence(1, calls), lookup, User.class).executeAndCollect("overhead")) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    check(n);
    return seconds;
  }

  private void check(int results) {
    if (results != calls) {
      throw new IllegalStateException("expected " + calls + " results, got " + results);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
