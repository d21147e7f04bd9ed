package dev.fanout.reliability;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.testing.FakeClock;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing unbounded by default (issue 14, defect 5): a client given no timeout at all still ends a call
 * the server never answers, at {@link FanoutClient#DEFAULT_TOTAL_TIMEOUT} (10 min) on its clock, here a
 * {@link FakeClock}: ten minutes pass in no time and not a millisecond early. Zero still means none.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class DefaultTotalTimeoutTest {

  @Test
  void aCallOnAClientWithNoTimeoutSetEndsAtTheDefaultTotalTimeout() throws Exception {
    FakeClock clock = FakeClock.create();
    try (MockBackend backend = MockBackend.builder().latency(Latency.none())
            .faults(Faults.builder().stallRate(1.0).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).clock(clock).build()) {
      CompletableFuture<User> call = client.users().getAsync(1);
      eventually(() -> backend.stats().inFlight() >= 1); // the server holds it and will never answer

      clock.advance(FanoutClient.DEFAULT_TOTAL_TIMEOUT.minusMillis(1));
      assertThat(call).as("not a millisecond early").isNotDone();
      clock.advance(Duration.ofMillis(1));

      assertThatThrownBy(() -> HttpEngine.await(call))
          .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
            assertThat(e.timeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(e.getMessage()).contains("GET /users/1").contains("600000 ms");
          });
      assertThat(FanoutClient.DEFAULT_TOTAL_TIMEOUT).isEqualTo(Duration.ofMinutes(10));
      assertThat(clock.scheduledDelays()).containsExactly(Duration.ofMinutes(10));
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.aborted()).as("the call was cancelled at the server too").isEqualTo(1);
    }
  }

  @Test
  void aZeroTotalTimeoutStillMeansNone() throws Exception {
    FakeClock clock = FakeClock.create();
    try (MockBackend backend = MockBackend.builder().latency(Latency.none())
            .faults(Faults.builder().stallRate(1.0).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).clock(clock)
            .totalTimeout(Duration.ZERO).build()) {
      CompletableFuture<User> call = client.users().getAsync(1);
      eventually(() -> backend.stats().inFlight() >= 1);
      clock.advance(Duration.ofDays(1));
      assertThat(call).isNotDone();
      assertThat(clock.scheduledDelays()).isEmpty();
      call.cancel(true);
    }
  }
}
