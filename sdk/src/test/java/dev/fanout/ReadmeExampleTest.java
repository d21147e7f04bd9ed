package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The usage snippet of sdk/README.md, run against a 1 s MockBackend. Keep the two in step. */
@Timeout(30)
class ReadmeExampleTest {

  @Test
  void looksUpUsersConcurrently() {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(1)))) {
      String baseUrl = backend.url();
      // --- README snippet ---
      try (FanoutClient client = FanoutClient.builder()
          .baseUrl(baseUrl)                       // any server with GET /users/{id}
          .apiKey("sk-demo")                      // sent as Authorization: Bearer
          .build()) {
        List<Long> ids = List.of(1L, 2L, 3L, 4L, 5L, 6L);
        FanoutFuture<List<User>> users = Fanout.all(ids, (id, ctx) -> client.users().withContext(ctx).getAsync(id),
            FanoutOptions.builder().timeout(Duration.ofSeconds(5)).build());
        List<User> found = users.await();         // ~1 s, not 6 s
        FanoutReport report = users.report();     // wall time, sum of calls, speed-up
        // --- end ---
        assertThat(found).extracting(User::id).containsExactlyElementsOf(ids);
        // concurrency is proved on the server (all six held at once), not by the wall clock of a busy machine
        assertThat(backend.stats().maxInFlight()).isEqualTo(6);
        assertThat(report.succeeded()).isEqualTo(6);
      }
    }
  }
}
