package dev.fanout.flink.samples;

import dev.fanout.FanoutClient;
import dev.fanout.FanoutClientSpec;
import dev.fanout.GovernorPolicy;
import dev.fanout.HedgePolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.common.Durations;
import dev.fanout.flink.CallOutcome;
import dev.fanout.flink.Chains;
import dev.fanout.flink.FanoutAsyncConfig;
import dev.fanout.flink.FanoutAsyncFunction;
import dev.fanout.flink.FanoutAsyncStream;
import dev.fanout.flink.FanoutCall;
import dev.fanout.users.User;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ParameterTool;

/**
 * A Flink job that enriches a stream of user ids: for each id it looks the user up and asks a chat model for a
 * one-line welcome, through Flink's Async I/O with Fanout calls, and emits one {@link CallOutcome} per id so
 * that a failed id is a record, not a failed job.
 *
 * <p>The job jar ({@code flink-samples/target/fanout-flink-job.jar}) holds this class, Fanout, OkHttp, Okio, the
 * Kotlin stdlib and Jackson; Flink and SLF4J come from the cluster, and no simulated backend is inside. Submit
 * it with a backend the task managers can reach:
 * <pre>
 * flink run flink-samples/target/fanout-flink-job.jar --base-url https://api.example.com --api-key-env FANOUT_API_KEY
 * </pre>
 * To run it locally (a MiniCluster against an embedded simulated backend with 10% 5xx), see
 * {@code EnrichUsersLocally} in this module's test sources:
 * <pre>
 * ./mvnw -q -pl flink-samples -am test-compile exec:exec -Dflink.job.args="--ids 2000 --parallelism 2"
 * </pre>
 *
 * <p>Options (Flink's {@link ParameterTool} syntax, {@code --name value}): {@code --base-url} (required),
 * {@code --api-key-env}, {@code --ids} (1000), {@code --max-in-flight} (100, Flink's capacity too),
 * {@code --parallelism} (2), {@code --timeout} (30s), {@code --ordered}, {@code --show} (5), and client options
 * carried by the job's {@link FanoutClientSpec}: {@code --no-governor} (the governor is on),
 * {@code --h2c} (HTTP/2 prior knowledge), {@code --attempt-timeout} (none), {@code --hedge-after} (no hedging).
 */
public final class EnrichUsersJob {

  /** One enriched user: the lookup's fields and the model's welcome line. */
  public record EnrichedUser(long id, String name, String email, String welcome) {}

  private EnrichUsersJob() {}

  public static void main(String[] args) throws Exception {
    int status;
    try {
      status = run(ParameterTool.fromArgs(args), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("enrich-users: " + e.getMessage());
      status = 2;
    }
    System.exit(status);
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

  /** Runs the job with {@code params} and prints a summary to {@code out}; 0 if every id was enriched. */
  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  public static int run(ParameterTool params, PrintStream out) throws Exception {
    String url = params.getRequired("base-url");
    long ids = params.getLong("ids", 1_000);
    int maxInFlight = params.getInt("max-in-flight", 100);
    int parallelism = params.getInt("parallelism", 2);
    Duration timeout = Durations.parse(params.get("timeout", "30s"));
    boolean ordered = params.has("ordered");
    int show = params.getInt("show", 5);

    // The whole client, as each subtask builds it: every FanoutClient.Builder option that can travel.
    FanoutClientSpec.Builder spec = FanoutClientSpec.builder()
        .baseUrl(url)
        .maxInFlight(maxInFlight)
        .retryPolicy(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(50)).build())
        .governor(params.has("no-governor") ? GovernorPolicy.disabled() : GovernorPolicy.defaults())
        .http2PriorKnowledge(params.has("h2c"));
    if (params.has("attempt-timeout")) {
      spec.attemptTimeout(Durations.parse(params.get("attempt-timeout")));
    }
    if (params.has("hedge-after")) {
      spec.hedging(HedgePolicy.fixed(Durations.parse(params.get("hedge-after"))));
    }
    FanoutAsyncConfig config = FanoutAsyncConfig.builder()
        .spec(spec.build())
        .apiKeyEnv(params.get("api-key-env"))
        .timeout(timeout)
        .ordered(ordered)
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
    return failures.isEmpty() ? 0 : 1;
  }
}
