package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FanoutClient#stats()}: the figures come from the telemetry hooks of the call path, checked against
 * what the server counted (requests held, 429s sent) and what the traces say (governor waits).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientStatsTest {
  private static final String USER = "{\"id\":1,\"name\":\"Ada\",\"email\":\"ada@example.com\"}";

  @Test
  void callsAndAttemptsInFlightAreTheOnesTheServerHolds() throws Exception {
    int n = 5;
    CountDownLatch arrived = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          arrived.countDown();
          release.await(30, TimeUnit.SECONDS);
          String id = request.getUrl().pathSegments().get(1);
          return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
              .body("{\"id\":" + id + ",\"name\":\"Ada\",\"email\":\"ada@example.com\"}").build();
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).build()) {
        assertThat(client.stats().callsInFlight()).isZero();
        List<CompletableFuture<User>> calls = new ArrayList<>();
        for (long id = 1; id <= n; id++) {
          calls.add(client.users().getAsync(id));
        }
        try {
          assertThat(arrived.await(20, TimeUnit.SECONDS)).as("the server holds all %d", n).isTrue();
          ClientStats held = client.stats();
          assertThat(held.callsInFlight()).isEqualTo(n);
          assertThat(held.attemptsInFlight()).isEqualTo(n);
          assertThat(held.callsStarted()).isEqualTo(n);
          assertThat(held.attemptsStarted()).isEqualTo(n);
        } finally {
          release.countDown();
        }
        for (CompletableFuture<User> call : calls) {
          call.get(20, TimeUnit.SECONDS);
        }
        // a call and its attempt stop counting before its future completes: no waiting needed
        ClientStats done = client.stats();
        assertThat(done.callsInFlight()).isZero();
        assertThat(done.attemptsInFlight()).isZero();
        assertThat(done.callsStarted()).isEqualTo(n);
        assertThat(done.tooManyRequests()).isZero();
        assertThat(done.hedgesSent()).isZero();
        assertThat(done.governorWaits()).isZero();
        assertThat(done.governorWaitTotal()).isEqualTo(Duration.ZERO);
      }
    }
  }

  @Test
  void a429AndItsRetryAreCounted() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
          .body("{\"error\":{\"message\":\"slow down\"}}").build());
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(USER).build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
          .governor(GovernorPolicy.disabled())
          .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
          .build()) {
        client.users().get(1);
        ClientStats stats = client.stats();
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(stats.tooManyRequests()).isEqualTo(1);
        assertThat(stats.callsStarted()).isEqualTo(1);
        assertThat(stats.attemptsStarted()).isEqualTo(2);
        assertThat(stats.attemptsInFlight()).isZero();
        assertThat(stats.toString()).contains("tooManyRequests=1");
      }
    }
  }

  /** Against the mock's OpenAI-style metering: 429s as the server counted them, governor waits as the traces sum them. */
  @Test
  void governorWaitsAnd429sAgreeWithTheTracesAndTheServer() throws Exception {
    int calls = 300;
    LongAdder tracedWaitNanos = new LongAdder();
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(50)))
            .faults(Faults.builder().requestsPerMinute(6000).meterDepth(Duration.ofSeconds(1)).build())
            .start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(calls)
            .governor(GovernorPolicy.defaults())
            .traceListener(t -> tracedWaitNanos.add(t.governorWait().toNanos()))
            .build()) {
      ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addUserMessage("hi").maxTokens(16).build();
      List<CompletableFuture<?>> futures = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        futures.add(client.chat().createAsync(request));
      }
      for (CompletableFuture<?> f : futures) {
        f.get(50, TimeUnit.SECONDS);
      }
      Stats server = backend.awaitIdle(Duration.ofSeconds(10));
      ClientStats stats = client.stats();

      assertThat(stats.callsStarted()).isEqualTo(calls);
      assertThat(stats.callsInFlight()).isZero();
      assertThat(stats.attemptsStarted()).isEqualTo(server.totalRequests());
      assertThat(stats.tooManyRequests()).as("429s the server sent").isEqualTo(server.faults(Stats.RATE_LIMITED));
      // the bucket holds 100 of the 300: the governor holds most of the rest
      assertThat(stats.governorWaits()).isGreaterThanOrEqualTo(calls / 2);
      assertThat(stats.governorWaitTotal().toNanos()).as("the waits the traces report").isEqualTo(tracedWaitNanos.sum());
    }
  }
}
