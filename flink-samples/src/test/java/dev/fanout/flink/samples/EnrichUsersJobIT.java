package dev.fanout.flink.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClientSpec;
import dev.fanout.RetryPolicy;
import dev.fanout.flink.CallOutcome;
import dev.fanout.flink.FanoutAsyncConfig;
import dev.fanout.flink.samples.EnrichUsersJob.EnrichedUser;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sample job's pipeline on a MiniCluster against a simulated backend that fails 20% of requests. */
@Timeout(120)
class EnrichUsersJobIT {
  /** Enough for about 120 injected 5xx across both calls of every id; the 10,000-id runs are FanoutFlinkIT's. */
  private static final int IDS = 300;

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .setConfiguration(smallCluster())
          .build());

  private static Configuration smallCluster() {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("16m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("16m"));
    return conf;
  }

  @Test
  @SuppressWarnings("try") // CloseableIterator.close() may throw InterruptedException
  void theSampleJobEnrichesEveryId() throws Exception {
    try (MockBackend backend = MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(10)))
        .faults(Faults.builder().errorRate(0.2).seed(6).build())
        .recordedRequests(0)
        .start()) {
      FanoutAsyncConfig config = FanoutAsyncConfig.builder()
          .spec(FanoutClientSpec.builder()
              .baseUrl(backend.url())
              .maxInFlight(100)
              // 0.2^20 per call: no id exhausts its attempts
              .retryPolicy(RetryPolicy.builder()
                  .maxAttempts(20)
                  .initialBackoff(Duration.ofMillis(5))
                  .maxBackoff(Duration.ofMillis(50))
                  .build())
              .build())
          .timeout(Duration.ofSeconds(20))
          .build();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      List<CallOutcome<Long, EnrichedUser>> outcomes = new ArrayList<>();
      try (CloseableIterator<CallOutcome<Long, EnrichedUser>> it =
          EnrichUsersJob.pipeline(env, IDS, config).executeAndCollect()) {
        it.forEachRemaining(outcomes::add);
      }

      assertThat(outcomes).hasSize(IDS).allSatisfy(o -> {
        assertThat(o.isSuccess()).as("%s", o).isTrue();
        assertThat(o.value().id()).isEqualTo(o.input());
        assertThat(o.value().welcome()).contains(o.value().name());
      });
      Stats stats = backend.stats();
      assertThat(stats.faults(Stats.ERROR_5XX)).as("the SDK's retries were exercised").isGreaterThan(0);
      assertThat(stats.requests(Routes.USERS) + stats.requests(Routes.CHAT))
          .isEqualTo(2 * IDS + stats.faults(Stats.ERROR_5XX));
    }
  }
}
