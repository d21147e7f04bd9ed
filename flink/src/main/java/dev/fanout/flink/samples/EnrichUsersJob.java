package dev.fanout.flink.samples;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.flink.CallOutcome;
import dev.fanout.flink.Chains;
import dev.fanout.flink.FanoutAsyncConfig;
import dev.fanout.flink.FanoutAsyncFunction;
import dev.fanout.flink.FanoutAsyncStream;
import dev.fanout.flink.FanoutCall;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A Flink job that enriches a stream of user ids: for each id it looks the user up and asks a chat model for a
 * one-line welcome, through Flink's Async I/O with Fanout calls, and emits one {@link CallOutcome} per id so
 * that a failed id is a record, not a failed job.
 *
 * <p>Run locally (a MiniCluster in this JVM, against an embedded simulated backend with 10% 5xx):
 * <pre>
 * ./mvnw -q -pl flink exec:java -Dexec.mainClass=dev.fanout.flink.samples.EnrichUsersJob \
 *     -Dexec.classpathScope=compile -Dexec.args="--ids 2000 --parallelism 2"
 * </pre>
 * On a real cluster, submit the shaded job jar (Fanout, OkHttp, Okio, Kotlin stdlib and Jackson inside; Flink
 * not) with a backend the task managers can reach:
 * <pre>
 * flink run -c dev.fanout.flink.samples.EnrichUsersJob flink/target/fanout-flink-job.jar --base-url https://api.example.com --api-key-env FANOUT_API_KEY
 * </pre>
 */
@Command(
    name = "enrich-users",
    mixinStandardHelpOptions = true,
    description = "Enrich user ids with a lookup and a chat completion each, on Flink's Async I/O.")
public final class EnrichUsersJob implements Callable<Integer> {

  /** One enriched user: the lookup's fields and the model's welcome line. */
  public record EnrichedUser(long id, String name, String email, String welcome) {}

  @Option(names = "--ids", description = "How many ids to enrich, 1..N. Default: ${DEFAULT-VALUE}.")
  long ids = 1_000;

  @Option(names = "--base-url", description = "The backend; none starts an embedded simulated one (local runs only).")
  String baseUrl;

  @Option(names = "--api-key-env", description = "An environment variable holding the API key, read on each task manager.")
  String apiKeyEnv;

  @Option(names = "--max-in-flight", description = "Calls in flight per subtask (Flink's and the SDK's). Default: ${DEFAULT-VALUE}.")
  int maxInFlight = 100;

  @Option(names = "--parallelism", description = "Subtasks of the async operator. Default: ${DEFAULT-VALUE}.")
  int parallelism = 2;

  @Option(names = "--timeout", description = "Flink's async timeout per id, e.g. 30s. Default: ${DEFAULT-VALUE}.",
      converter = DurationConverter.class)
  Duration timeout = Duration.ofSeconds(30);

  @Option(names = "--ordered", description = "Emit in input order.")
  boolean ordered;

  @Option(names = "--show", description = "Rows to print. Default: ${DEFAULT-VALUE}.")
  int show = 5;

  private EnrichUsersJob() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new EnrichUsersJob()).execute(args));
  }

  /** The per-id call: a lookup, then a completion; {@link Chains} so a timeout cancels whichever is running. */
  static FanoutCall<Long, EnrichedUser> enrich() {
    return (client, id) -> Chains.thenCompose(client.users().getAsync(id), user -> welcome(client, user));
  }

  private static CompletableFuture<EnrichedUser> welcome(FanoutClient client, User user) {
    ChatRequest request = ChatRequest.builder()
        .model("fanout-mock-1")
        .addSystemMessage("You write one-line welcome messages.")
        .addUserMessage("Welcome " + user.name() + " to the team.")
        .maxTokens(24)
        .build();
    return Chains.thenApply(client.chat().createAsync(request),
        completion -> new EnrichedUser(user.id(), user.name(), user.email(), completion.content()));
  }

  /** Builds the pipeline: ids 1..n, enriched through Fanout, as one outcome per id. */
  public static DataStream<CallOutcome<Long, EnrichedUser>> pipeline(
      StreamExecutionEnvironment env, long n, FanoutAsyncConfig config) {
    DataStream<Long> ids = env.fromSequence(1, n).name("user ids");
    return FanoutAsyncStream.apply(ids, FanoutAsyncFunction.outcomes(config, enrich()),
        TypeInformation.of(new TypeHint<CallOutcome<Long, EnrichedUser>>() {}));
  }

  @Override
  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  public Integer call() throws Exception {
    PrintStream out = System.out;
    MockBackend embedded = null;
    try {
      String url = baseUrl;
      if (url == null) {
        embedded = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(50)))
            .faults(Faults.builder().errorRate(0.1).build())
            .recordedRequests(0)
            .start();
        url = embedded.url();
        out.println("Embedded simulated backend at " + url + " (50 ms per call, 10% 5xx)");
      }
      FanoutAsyncConfig config = FanoutAsyncConfig.builder()
          .baseUrl(url)
          .apiKeyEnv(apiKeyEnv)
          .maxInFlight(maxInFlight)
          .timeout(timeout)
          .ordered(ordered)
          .retryPolicy(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(50)).build())
          .build();
      out.println("Enriching ids 1.." + ids + " at parallelism " + parallelism + ", " + config);

      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(parallelism);
      long start = System.nanoTime();
      long ok = 0;
      List<CallOutcome<Long, EnrichedUser>> failures = new ArrayList<>();
      try (CloseableIterator<CallOutcome<Long, EnrichedUser>> results =
          pipeline(env, ids, config).executeAndCollect("enrich users")) {
        while (results.hasNext()) {
          CallOutcome<Long, EnrichedUser> outcome = results.next();
          if (outcome.isSuccess()) {
            if (ok++ < show) {
              EnrichedUser u = outcome.value();
              out.println(String.format(Locale.ROOT, "  %6d  %-24s %s", u.id(), u.name(), u.welcome()));
            }
          } else {
            failures.add(outcome);
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println(String.format(Locale.ROOT,
          "%d enriched, %d failed in %.2f s (2 calls each; a local run includes starting the MiniCluster)",
          ok, failures.size(), seconds));
      failures.stream().limit(show).forEach(f ->
          out.println("  failed " + f.input() + ": " + f.errorType() + ": " + f.errorMessage()));
      if (embedded != null) {
        out.println("Backend: " + embedded.stats());
      }
      return failures.isEmpty() ? 0 : 1;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Parses {@code 30s}, {@code 500ms}, {@code 2m} or an ISO-8601 duration. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.parse(value.trim());
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException("not a duration (30s, 500ms, 2m or PT30S): " + value);
      }
    }
  }
}
