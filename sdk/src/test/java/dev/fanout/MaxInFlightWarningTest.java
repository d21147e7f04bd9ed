package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A fan-out wider than the client's limit runs in waves; the client says so once instead of silently. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class MaxInFlightWarningTest {

  private static String stderrOf(Runnable body) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFanOutWiderThanMaxInFlightIsLoggedOnce() {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(100)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(2).build()) {
      String logs = stderrOf(() -> {
        List<User> first = Fanout.all(List.of(1L, 2L, 3L, 4L), (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).await();
        List<User> second = Fanout.all(List.of(5L, 6L, 7L), (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).await();
        assertThat(first).hasSize(4);
        assertThat(second).hasSize(3);
      });

      assertThat(backend.stats().maxInFlight()).isEqualTo(2);
      assertThat(logs).containsOnlyOnce("maxInFlight=2 reached");
    }
  }

  @Test
  void aFanOutBoundedAtTheClientsLimitLogsNothing() {
    // Each finished call completes its future inside OkHttp's callback, while it still holds its dispatcher
    // slot; the fan-out starts the next input from there. Counting OkHttp's queue saw that next call queued.
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(5)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(2).build()) {
      List<Long> ids = java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList();
      String logs = stderrOf(() -> {
        List<User> users = Fanout.all(ids, (input, context) -> client.users().getAsync(input),
            FanoutOptions.builder().maxConcurrency(2).build()).await();
        assertThat(users).hasSize(40);
      });

      assertThat(backend.stats().maxInFlight()).isLessThanOrEqualTo(2);
      assertThat(logs).doesNotContain("reached");
    }
  }

  @Test
  void aFanOutWithinTheLimitLogsNothing() {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(50)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(4).build()) {
      String logs = stderrOf(() -> Fanout.all(List.of(1L, 2L, 3L, 4L), (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).await());

      assertThat(logs).doesNotContain("reached");
    }
  }
}
