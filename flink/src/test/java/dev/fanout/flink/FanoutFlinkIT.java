package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClientSpec;
import dev.fanout.GovernorPolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fanout calls through Flink's Async I/O operator on a MiniCluster (one task manager, two slots, small
 * managed and network memory; Flink keeps its temporary files in a folder of its own that it deletes),
 * against a simulated backend that fails 20% of requests with a 5xx.
 */
@Timeout(120)
class FanoutFlinkIT {
  private static final int IDS = 10_000;

  /** Keeps every metric the jobs registered, after they end, so a test reads the operators' final figures. */
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .setConfiguration(METRICS.addToConfiguration(smallCluster()))
          .build());

  private static MockBackend backend;

  private static Configuration smallCluster() {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("16m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("16m"));
    return conf;
  }

  @BeforeAll
  static void startBackend() {
    backend = MockBackend.builder()
        // 10 ms +- 5 ms, so that results complete out of input order
        .latency(Latency.builder().delay(Duration.ofMillis(10)).jitter(Jitter.uniform(Duration.ofMillis(5))).build())
        .faults(Faults.builder().errorRate(0.2).seed(6).build())
        .recordedRequests(0)
        .start();
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @BeforeEach
  void resetBackend() {
    backend.reset();
  }

  private static FanoutAsyncConfig config(boolean ordered) {
    return FanoutAsyncConfig.builder()
        .spec(spec().build())
        .timeout(Duration.ofSeconds(20))
        .ordered(ordered)
        .build();
  }

  private static FanoutClientSpec.Builder spec() {
    return FanoutClientSpec.builder()
        .baseUrl(backend.url())
        .maxInFlight(100)
        // 0.2^20 per id: no id exhausts its attempts (with 10 attempts, an early run lost one id to ten 5xx in a row)
        .retryPolicy(RetryPolicy.builder()
            .maxAttempts(20)
            .initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(50))
            .build());
  }

  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  private static List<User> run(int parallelism, boolean ordered) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    DataStream<Long> ids = env.fromSequence(1, IDS);
    FanoutAsyncFunction<Long, User> lookup =
        FanoutAsyncFunction.of(config(ordered), (client, id) -> client.users().getAsync(id));
    List<User> users = new ArrayList<>(IDS);
    try (CloseableIterator<User> it = FanoutAsyncStream.apply(ids, lookup, User.class).executeAndCollect()) {
      it.forEachRemaining(users::add);
    }
    return users;
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void everyIdOnceDespite20PercentServerErrors(int parallelism) throws Exception {
    List<User> users = run(parallelism, false);

    assertThat(users).hasSize(IDS);
    Set<Long> distinct = users.stream().map(User::id).collect(Collectors.toCollection(HashSet::new));
    assertThat(distinct).hasSize(IDS);
    assertThat(distinct).containsAll(LongStream.rangeClosed(1, IDS).boxed().toList());

    Stats stats = backend.stats();
    assertThat(stats.faults(Stats.ERROR_5XX)).as("5xx injected").isGreaterThan(IDS / 10);
    assertThat(stats.requests(Routes.USERS)).isEqualTo(IDS + stats.faults(Stats.ERROR_5XX));
    assertThat(stats.maxInFlight()).as("one capacity per subtask").isLessThanOrEqualTo(100 * parallelism);
  }

  @Test
  void orderedModeKeepsInputOrder() throws Exception {
    List<User> users = run(1, true);

    assertThat(users).extracting(User::id).containsExactlyElementsOf(LongStream.rangeClosed(1, IDS).boxed().toList());
    assertThat(backend.stats().faults(Stats.ERROR_5XX)).isGreaterThan(IDS / 10);
  }

  @Test
  void unorderedModeEmitsAsCallsComplete() throws Exception {
    List<User> users = run(1, false);

    // what makes the ordered test meaningful: with jittered latency and retries, completion order differs
    assertThat(users).extracting(User::id).doesNotContainSequence(LongStream.rangeClosed(1, IDS).boxed().toList());
  }

  @Test
  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  void outcomesSurviveTheNetworkBetweenOperators() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    FanoutAsyncConfig config = config(false).newBuilder()
        .spec(spec().retryPolicy(RetryPolicy.none()).build())
        .build();
    FanoutAsyncFunction<Long, CallOutcome<Long, User>> lookup =
        FanoutAsyncFunction.outcomes(config, (client, id) -> client.users().getAsync(id));
    List<CallOutcome<Long, User>> outcomes = new ArrayList<>();
    DataStream<CallOutcome<Long, User>> stream = FanoutAsyncStream.apply(
        env.fromSequence(1, 2_000), lookup, TypeInformation.of(new TypeHint<CallOutcome<Long, User>>() {}));
    try (CloseableIterator<CallOutcome<Long, User>> it = stream.rebalance().executeAndCollect()) {
      it.forEachRemaining(outcomes::add);
    }

    assertThat(outcomes).hasSize(2_000);
    assertThat(outcomes.stream().map(CallOutcome::input).distinct().count()).isEqualTo(2_000);
    long failed = outcomes.stream().filter(o -> !o.isSuccess()).count();
    assertThat(failed).as("no retries: each injected 5xx is a failure record").isEqualTo(backend.stats().faults(Stats.ERROR_5XX));
    assertThat(failed).isGreaterThan(200);
    assertThat(outcomes).filteredOn(CallOutcome::isSuccess)
        .allSatisfy(o -> assertThat(o.value().id()).isEqualTo(o.input()));
  }
  /**
   * Two subtasks, each with its own client and governor, share one metered backend (OpenAI-style: 30,000
   * requests per minute as a bucket one second deep, {@code x-ratelimit-*} on every response, 429s when it is
   * empty), so the rate limit binds both: every element is enriched, few requests are refused, and the
   * operators' metrics count what the server counted.
   */
  @Test
  void aMeteredBackendSharedByTwoSubtasksLosesNothingWithFew429s() throws Exception {
    int elements = 2_000;
    try (MockBackend metered = MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(20)))
        .faults(Faults.builder().requestsPerMinute(30_000).meterDepth(Duration.ofSeconds(1)).build())
        .recordedRequests(0)
        .start()) {
      FanoutAsyncConfig config = FanoutAsyncConfig.builder()
          .spec(FanoutClientSpec.builder()
              .baseUrl(metered.url())
              .maxInFlight(100)
              .governor(GovernorPolicy.defaults())
              .build())
          .timeout(Duration.ofSeconds(40))
          .build();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      FanoutAsyncFunction<Long, CallOutcome<Long, String>> chat = FanoutAsyncFunction.outcomes(config,
          (client, id) -> Chains.thenApply(client.chat().createAsync(ChatRequest.builder()
              .model("gpt-4o-mini").addUserMessage("Greet user " + id).maxTokens(8).build()),
              completion -> completion.content()));
      CloseableIterator<CallOutcome<Long, String>> results = FanoutAsyncStream.apply(env.fromSequence(1, elements),
          chat, TypeInformation.of(new TypeHint<CallOutcome<Long, String>>() {})).collectAsync();
      JobClient job = env.executeAsync("metered chat");
      List<CallOutcome<Long, String>> outcomes = new ArrayList<>();
      try (results) {
        results.forEachRemaining(outcomes::add);
      }
      job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      Stats server = metered.awaitIdle(Duration.ofSeconds(10));

      assertThat(outcomes).hasSize(elements).allSatisfy(o -> assertThat(o.isSuccess()).as("%s", o).isTrue());
      assertThat(outcomes.stream().map(CallOutcome::input).distinct().count()).isEqualTo(elements);
      long limited = server.faults(Stats.RATE_LIMITED);
      assertThat((double) limited / server.totalRequests())
          .as("share of 429s (%d of %d requests)", limited, server.totalRequests()).isLessThanOrEqualTo(0.05);

      List<Map<String, Metric>> metrics = fanoutGroups(job.getJobID());
      assertThat(metrics).as("a fanout metric group per subtask").hasSize(2);
      assertThat(sum(metrics, FanoutMetrics.TOO_MANY_REQUESTS)).as("the operators' 429s are the server's").isEqualTo(limited);
      assertThat(sum(metrics, FanoutMetrics.GOVERNOR_WAITS)).as("the governor held calls").isPositive();
      assertThat(sum(metrics, FanoutMetrics.GOVERNOR_WAIT_MILLIS)).isPositive();
      assertThat(sum(metrics, FanoutMetrics.HEDGES_SENT)).isZero();
      assertThat(sum(metrics, FanoutMetrics.CALLS_IN_FLIGHT)).as("nothing left in flight").isZero();
    }
  }

  /** The {@code fanout} metric groups the job's operators registered, one per subtask: name to metric. */
  private static List<Map<String, Metric>> fanoutGroups(JobID job) {
    List<Map<String, Metric>> groups = new ArrayList<>();
    METRICS.getMetricsByGroup().forEach((group, metrics) -> {
      String[] scope = group.getScopeComponents();
      if (job.toString().equals(group.getAllVariables().get("<job_id>"))
          && scope[scope.length - 1].equals(FanoutMetrics.GROUP)) {
        groups.add(metrics);
      }
    });
    return groups;
  }

  /** Sums metric {@code name} over the subtasks' groups. */
  private static long sum(List<Map<String, Metric>> groups, String name) {
    long total = 0;
    for (Map<String, Metric> metrics : groups) {
      Metric m = metrics.get(name);
      assertThat(m).as("fanout.%s", name).isNotNull();
      total += m instanceof Counter c ? c.getCount() : ((Number) ((Gauge<?>) m).getValue()).longValue();
    }
    return total;
  }

  // The sample job's pipeline: flink-samples/src/test/java/dev/fanout/flink/samples/EnrichUsersJobIT.java
}
