package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream form against a local server: every input answered once, and a cancel reaches the socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FanoutStreamHttpTest {

  @Test
  void everyInputIsAnsweredOnceWithinTheBound() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none()).build()) {
      AtomicLong ids = new AtomicLong();
      FanoutStream<Long, User> stream = Fanout.stream(LongStream.rangeClosed(1, 2_000).iterator(),
          (id, context) -> client.users().withContext(context).getAsync(id),
          FanoutOptions.builder().maxConcurrency(16).build());
      StreamReport report = stream.forEach(c -> ids.addAndGet(c.value().id()));

      assertThat(report.end()).isEqualTo(StreamReport.End.COMPLETED);
      assertThat(report.succeeded()).isEqualTo(2_000);
      assertThat(report.delivered()).isEqualTo(2_000);
      assertThat(ids.get()).isEqualTo(2_000L * 2_001 / 2); // each id once
      assertThat(report.peakInFlight()).isLessThanOrEqualTo(16);
      assertThat(report.latencyCount()).isEqualTo(2_000);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.requests(Routes.USERS)).isEqualTo(2_000);
    }
  }

  @Test
  void cancelReachesTheSocketOfEveryCallInFlight() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(30)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none())
            .governor(GovernorPolicy.disabled()).build()) {
      FanoutStream<Long, User> stream = Fanout.stream(LongStream.rangeClosed(1, 1_000_000).iterator(),
          (id, context) -> client.users().withContext(context).getAsync(id),
          FanoutOptions.builder().maxConcurrency(8).build());
      CompletableFuture<StreamReport> result = stream.start(c -> { });
      for (int i = 0; i < 8; i++) {
        assertThat(backend.takeRequest(20, TimeUnit.SECONDS)).as("request %d reached the server", i).isNotNull();
      }

      stream.cancel();

      StreamReport report = result.get(20, TimeUnit.SECONDS);
      assertThat(report.end()).isEqualTo(StreamReport.End.CANCELLED);
      assertThat(report.pulled()).isEqualTo(8);
      assertThat(report.cancelled()).isEqualTo(8);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.requests(Routes.USERS)).isEqualTo(8);
      assertThat(stats.aborted()).isEqualTo(8);
    }
  }
}
