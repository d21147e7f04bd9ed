package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A user's test: a fan-out through the published SDK against the published mock's JUnit 5 extension. */
@Timeout(60)
class FanOutAgainstMockTest {
  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(200)))
      .build();

  @Test
  void tenLookupsRunAtOnce() {
    List<Long> ids = LongStream.rangeClosed(1, 10).boxed().toList();
    try (FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      List<User> users = Fanout.all(ids, (id, context) -> client.users().withContext(context).getAsync(id), FanoutOptions.defaults()).await();

      assertThat(users).extracting(User::id).containsExactlyElementsOf(ids);
    }
    assertThat(backend.stats().maxInFlight()).isEqualTo(10);
  }
}
