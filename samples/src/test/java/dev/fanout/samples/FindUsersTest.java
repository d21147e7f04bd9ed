package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class FindUsersTest {
  @Test
  void threeChainsRunSideBySideAndEachLooksUpItsUsersInOrder() {
    Duration latency = Duration.ofMillis(300);
    try (MockBackend backend = MockBackend.start(Latency.fixed(latency));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      client.users().get(1); // loads the HTTP and JSON code and opens a connection before the clock starts
      backend.reset();
      long start = System.nanoTime();
      List<List<User>> found = FindUsers.processAsync(client);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      assertThat(found).hasSize(3);
      assertThat(found.get(0)).extracting(User::id).containsExactly(1L, 2L, 3L);
      assertThat(found.get(1)).extracting(User::id).containsExactly(1L, 2L);
      assertThat(found.get(2)).extracting(User::id).containsExactly(1L);
      assertThat(backend.stats().maxInFlight()).isEqualTo(3);
      assertThat(backend.stats().requests("users")).isEqualTo(6);
      // The longest chain (3 lookups), not the sum (6).
      assertThat(elapsed).isGreaterThanOrEqualTo(latency.multipliedBy(3)).isLessThan(latency.multipliedBy(6));
    }
  }
}
