package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Six concurrent chats against a mock metered at 120 requests per minute (two a second): the mock answers
 * some with OpenAI's 429 and {@code retry-after-ms}, and the client's retries absorb every one.
 */
@Timeout(60)
class RateLimitedMockTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(10)))
      .faults(Faults.builder().requestsPerMinute(120).build())
      .build();

  @Test
  void nothingFailsBehindA429LimitedServer() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try (FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
        .retryPolicy(RetryPolicy.builder().maxAttempts(20).build())
        .build()) {
      FanoutChatModel model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build();
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String question = "Question number " + i;
        answers.add(CompletableFuture.supplyAsync(() -> model.chat(question), callers));
      }
      for (CompletableFuture<String> answer : answers) {
        assertThat(answer.get(45, TimeUnit.SECONDS)).isNotBlank();
      }
      Stats stats = backend.stats();
      assertThat(stats.faults(Stats.RATE_LIMITED)).as("the limit was hit").isPositive();
      assertThat(stats.requests(Routes.CHAT)).isEqualTo(6 + stats.faults(Stats.RATE_LIMITED));
    } finally {
      callers.shutdownNow();
    }
  }
}
