package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.testsupport.Responses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rate-limit governor ({@link GovernorPolicy#defaults()}) against the mock's OpenAI-style metering (6,000 requests/min,
 * a bucket one second deep: 100 at once, then one every 10 ms; {@code x-ratelimit-*} on every response,
 * OpenAI 429s when empty). Counts come from the server; the retry policy is the SDK default.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class MeteredBatchGovernorTest {
  private static final int CALLS = 300;
  private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":0,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
      + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

  private static MockBackend metered() {
    return metered(6000);
  }

  private static MockBackend metered(int requestsPerMinute) {
    return MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(100)))
        .faults(Faults.builder().requestsPerMinute(requestsPerMinute).meterDepth(Duration.ofSeconds(1)).build())
        .start();
  }

  /** Sends {@link #CALLS} chat completions at once; returns how many succeeded. */
  private static int batch(FanoutClient client) {
    return batch(client, CALLS);
  }

  private static int batch(FanoutClient client, int n) {
    ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addUserMessage("Say hi").maxTokens(16).build();
    List<CompletableFuture<ChatCompletion>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(client.chat().createAsync(request));
    }
    int ok = 0;
    for (CompletableFuture<ChatCompletion> c : calls) {
      try {
        c.get(50, TimeUnit.SECONDS);
        ok++;
      } catch (Exception e) {
        // counted as not ok
      }
    }
    return ok;
  }

  @Test
  void theDefaultGovernorPolicyCompletesAMeteredBatchWithFew429s() throws Exception {
    java.util.concurrent.atomic.AtomicInteger waited = new java.util.concurrent.atomic.AtomicInteger();
    try (MockBackend backend = metered();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(CALLS)
            .governor(GovernorPolicy.defaults())
            .traceListener(t -> {
              if (t.governorWait().compareTo(Duration.ZERO) > 0) {
                waited.incrementAndGet();
              }
            }).build()) {
      int ok = batch(client);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));

      assertThat(ok).isEqualTo(CALLS);
      // The bucket holds 100 of the 300: at least the other 200 less a generous margin wait for the governor.
      assertThat(waited.get()).as("calls whose trace shows a governor wait").isGreaterThanOrEqualTo(CALLS / 2);
      long limited = stats.faults(Stats.RATE_LIMITED);
      assertThat((double) limited / stats.totalRequests()).as("share of 429s (%d of %d)", limited,
          stats.totalRequests()).isLessThanOrEqualTo(0.05);
    }
  }

  @Test
  void withTheGovernorDisabledTheSameBatchSeesMany429s() throws Exception {
    java.util.concurrent.atomic.AtomicInteger waited = new java.util.concurrent.atomic.AtomicInteger();
    // 1,200/min one second deep: the bucket holds 20 and refills 20 a second, so however slowly a busy
    // machine sends the 300, most of the first wave is answered 429.
    try (MockBackend backend = metered(1200);
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(CALLS)
            .governor(GovernorPolicy.disabled())
            .traceListener(t -> {
              if (t.governorWait().compareTo(Duration.ZERO) > 0) {
                waited.incrementAndGet();
              }
            }).build()) {
      batch(client);
      assertThat(waited.get()).as("no governor, no governor waits").isZero();
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));

      assertThat(stats.faults(Stats.RATE_LIMITED)).isGreaterThanOrEqualTo(CALLS / 2);
    }
  }

  @Test
  void aServerThatPublishesNoLimitsIsNotCappedAfterItsFirstResponse() throws Exception {
    // The server answers the batch only once all 100 are in flight at once (or after 20 s): a capped bucket
    // would hold 32 in flight and see no success to grow the limit, so the server would never hold 100; an
    // open one sends them all, however long a busy machine takes to connect them.
    int calls = 100;
    CountDownLatch allArrived = new CountDownLatch(calls);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          if (request.getBody() != null && request.getBody().utf8().contains("warm")) {
            return Responses.json(COMPLETION);
          }
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          allArrived.countDown();
          allArrived.await(20, TimeUnit.SECONDS);
          inFlight.decrementAndGet();
          return Responses.json(COMPLETION);
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).maxInFlight(CALLS)
          .governor(GovernorPolicy.defaults()).build()) {
        // The governor meters each model apart: the first response is the batch's model's.
        client.chat().createAsync(ChatRequest.builder().model("gpt-4o-mini").addUserMessage("warm").build())
            .get(10, TimeUnit.SECONDS);
        int ok = batch(client, calls);

        assertThat(ok).isEqualTo(calls);
        assertThat(maxInFlight.get()).as("max in flight at the server").isEqualTo(calls);
      }
    }
  }

  @Test
  void withDefaultsAnUnmeteredFanOutOfAThousandIsNotRunInWavesOf256() throws Exception {
    try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofSeconds(2))).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      client.users().get(1); // the bucket's first response: it publishes no limits, so the bucket opens
      java.util.List<Long> ids = java.util.stream.LongStream.rangeClosed(1, 1000).boxed()
          .collect(java.util.stream.Collectors.toList());
      Fanout.all(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).get(50, TimeUnit.SECONDS);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));

      // Each call holds its slot for 2 s: in waves of 256 the server never sees more than 256 at once.
      assertThat(stats.maxInFlight()).as("max in flight at the server").isGreaterThan(256);
      assertThat(stats.faults(Stats.RATE_LIMITED)).isZero();
    }
  }

  @Test
  void aColdFanOutToARestRouteIsNotHeldByTheModelApiProbe() throws Exception {
    // No warm-up: the users route's bucket has seen no response. A model API's bucket would admit 32 and
    // hold the rest for the whole 2 s round trip (32 at most at the server); a REST route starts open and
    // sends all 100 at once (they arrive over connection set-up, so the bound is generous).
    try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofSeconds(2))).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      java.util.List<Long> ids = java.util.stream.LongStream.rangeClosed(1, 100).boxed()
          .collect(java.util.stream.Collectors.toList());
      FanoutFuture<java.util.List<dev.fanout.users.User>> run = Fanout.all(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults());
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (backend.stats().inFlight() < 100 && System.nanoTime() < until && !run.isDone()) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      assertThat(backend.stats().maxInFlight()).as("max in flight at the server, cold")
          .isGreaterThan(2 * GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY);
      assertThat(run.get(30, TimeUnit.SECONDS)).hasSize(100);
    }
  }

  @Test
  void aTokenBoundBatchIsPacedByItsEstimatesCorrectedFromUsage() throws Exception {
    // 60,000 tokens/min one second deep (1,000 at once, 1,000 a second); each call is charged about
    // 2 (prompt) + 16 (max_tokens) tokens up front: 300 calls need about 5 s of quota, requests are unmetered.
    java.util.concurrent.atomic.AtomicInteger waited = new java.util.concurrent.atomic.AtomicInteger();
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(100)))
            .faults(Faults.builder().tokensPerMinute(60_000).meterDepth(Duration.ofSeconds(1)).build())
            .start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .traceListener(t -> {
              if (t.governorWait().compareTo(Duration.ZERO) > 0) {
                waited.incrementAndGet();
              }
            }).build()) {
      int ok = batch(client);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));

      assertThat(ok).isEqualTo(CALLS);
      assertThat(waited.get()).as("calls whose trace shows a governor wait").isPositive();
      long limited = stats.faults(Stats.RATE_LIMITED);
      assertThat((double) limited / stats.totalRequests()).as("share of 429s (%d of %d)", limited,
          stats.totalRequests()).isLessThanOrEqualTo(0.05);
    }
  }
}
