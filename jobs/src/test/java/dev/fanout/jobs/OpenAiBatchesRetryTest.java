package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.FanoutClock;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Batch API client retries as openai-java does: {@code x-should-retry} decides, else 408, 409, 429 and
 * 5xx; it waits what {@code retry-after-ms} or {@code retry-after} (seconds or an HTTP date) names up to a
 * minute, its own doubling pause otherwise. Each batch id is its own route; its first answers are the
 * failures, the next a success. Every wait is a timer on the client's fake clock, recorded, never slept.
 */
@Timeout(10)
class OpenAiBatchesRetryTest {
  private static final String KEY = "sk-proj-batches-0123456789abcdefghij";

  private final MockWebServer server = new MockWebServer();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AutoAdvance time = new AutoAdvance();
  private OpenAiBatches api;

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        if (path.equals("/v1/batches/down") && n < OpenAiBatches.DEFAULT_MAX_ATTEMPTS) {
          return json(503, "{}");
        }
        return n == 1 ? firstAnswer(path) : json(200, "{\"id\":\"batch_ok\",\"object\":\"batch\"}");
      }
    });
    server.start();
    api = OpenAiBatches.builder().baseUrl(server.url("/").toString()).apiKey(KEY).clock(time.clock()).build();
  }

  @AfterEach
  void tearDown() {
    api.close();
    server.close();
    time.close();
  }

  private static MockResponse firstAnswer(String path) {
    switch (path) {
      case "/v1/batches/ms":
        return json(429, "{}").newBuilder().setHeader("retry-after-ms", "250").setHeader("retry-after", "1").build();
      case "/v1/batches/seconds":
        return json(503, "{}").newBuilder().setHeader("retry-after", "2.5").build();
      case "/v1/batches/day":
        return json(429, "{}").newBuilder().setHeader("retry-after", "86400").build();
      case "/v1/batches/date":
        // 30 s after the server's own Date: read against that header, not the local clock
        return json(429, "{}").newBuilder().setHeader("Date", "Wed, 21 Oct 2015 07:28:00 GMT")
            .setHeader("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT").build();
      case "/v1/batches/date-no-server-time":
        // no Date header: 20 s after the client clock's now (the fake clock starts at 2026-01-01T00:00:00Z)
        return json(503, "{}").newBuilder().setHeader("retry-after", "Thu, 01 Jan 2026 00:00:20 GMT").build();
      case "/v1/batches/date-past":
        return json(429, "{}").newBuilder().setHeader("Date", "Wed, 21 Oct 2015 07:28:00 GMT")
            .setHeader("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT").build();
      case "/v1/batches/date-over-a-minute":
        return json(429, "{}").newBuilder().setHeader("Date", "Wed, 21 Oct 2015 07:28:00 GMT")
            .setHeader("retry-after", "Wed, 21 Oct 2015 07:30:00 GMT").build();
      case "/v1/batches/infinity":
        return json(429, "{}").newBuilder().setHeader("retry-after", "Infinity").build();
      case "/v1/batches/lock":
        return json(409, "{\"error\":{\"message\":\"lock timeout\"}}");
      case "/v1/batches/told-to-retry":
        return json(400, "{}").newBuilder().setHeader("x-should-retry", "true").build();
      case "/v1/batches/told-not-to":
        return json(500, "{}").newBuilder().setHeader("x-should-retry", "false")
            .setHeader("x-request-id", "req_42").build();
      case "/v1/batches/echo":
        return json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\",\"type\":"
            + "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
      case "/v1/batches/chunked":
        return new MockResponse.Builder().code(400).setHeader("Content-Type", "application/json")
            .chunkedBody("{\"error\":{\"message\":\"Invalid batch id\"}}", 8).build();
      default:
        return json(404, "{\"error\":{\"message\":\"no route " + path + "\"}}");
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  @Test
  void waitsTheRetryAfterMsBeforeTheRetryAfter() {
    assertThat(api.batch("ms").path("id").asText()).isEqualTo("batch_ok");
    assertThat(time.delays()).containsExactly(Duration.ofMillis(250));
  }

  @Test
  void waitsFractionalRetryAfterSeconds() {
    api.batch("seconds");
    assertThat(time.delays()).containsExactly(Duration.ofMillis(2500));
  }

  @Test
  void waitsUntilARetryAfterDateMeasuredAgainstTheServersDate() {
    assertThat(api.batch("date").path("id").asText()).isEqualTo("batch_ok");
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void aRetryAfterDateWithoutAServerDateIsMeasuredOnTheClientsClock() {
    api.batch("date-no-server-time");
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(20));
  }

  @Test
  void aRetryAfterDatePastIsRetriedAtOnceAndOneOverAMinuteGetsItsOwnPause() {
    api.batch("date-past");
    api.batch("date-over-a-minute");
    assertThat(time.delays()).containsExactly(Duration.ZERO, Duration.ofSeconds(1));
  }

  @Test
  void aWaitOverAMinuteOrNotANumberGetsItsOwnPause() {
    api.batch("day");
    api.batch("infinity");
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void itsOwnPauseDoublesFromOneSecondOnTheClock() {
    assertThat(api.batch("down").path("id").asText()).isEqualTo("batch_ok");
    assertThat(calls.get("/v1/batches/down")).hasValue(OpenAiBatches.DEFAULT_MAX_ATTEMPTS);
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8));
    assertThat(time.clock().elapsed()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void anInterruptDuringAPauseFailsTheCallDropsTheTimerAndKeepsTheFlag() {
    FakeClock fake = FakeClock.create();
    FanoutClock interruptedOnceWaiting = new FanoutClock() {
      @Override
      public long nanoTime() {
        return fake.nanoTime();
      }

      @Override
      public Instant instant() {
        return fake.instant();
      }

      @Override
      public Timer schedule(Duration delay, Runnable task) {
        Timer timer = fake.schedule(delay, task);
        Thread.currentThread().interrupt(); // as if interrupted while it waits
        return timer;
      }
    };
    try (OpenAiBatches interrupted = OpenAiBatches.builder().baseUrl(server.url("/").toString()).apiKey(KEY)
        .clock(interruptedOnceWaiting).build()) {
      Throwable thrown = catchThrowable(() -> interrupted.batch("seconds"));

      assertThat(thrown).isInstanceOf(OpenAiBatches.BatchApiException.class).hasMessageContaining("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(fake.scheduledDelays()).containsExactly(Duration.ofMillis(2500));
      assertThat(fake.pendingTasks()).as("the timer is dropped").isZero();
      assertThat(calls.get("/v1/batches/seconds")).hasValue(1);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aLockTimeoutIsRetried() {
    assertThat(api.batch("lock").path("id").asText()).isEqualTo("batch_ok");
    assertThat(calls.get("/v1/batches/lock")).hasValue(2);
  }

  @Test
  void xShouldRetryDecides() {
    assertThat(api.batch("told-to-retry").path("id").asText()).isEqualTo("batch_ok");

    Throwable thrown = catchThrowable(() -> api.batch("told-not-to"));

    assertThat(thrown).isInstanceOf(OpenAiBatches.BatchApiException.class)
        .hasMessageContaining("HTTP 500 (request req_42)");
    assertThat(calls.get("/v1/batches/told-not-to")).hasValue(1);
  }

  @Test
  void anEchoedKeyIsNotInTheMessage() {
    Throwable thrown = catchThrowable(() -> api.batch("echo"));

    assertThat(thrown).hasMessageContaining("HTTP 401").hasMessageContaining("Incorrect API key provided: ██")
        .hasMessageNotContaining(KEY).hasMessageNotContaining(KEY.substring(0, 12));
  }

  @Test
  void aShortChunkedErrorBodyIsQuotedNotRetriedAsAnIoError() {
    Throwable thrown = catchThrowable(() -> api.batch("chunked"));

    assertThat(thrown).isInstanceOf(OpenAiBatches.BatchApiException.class)
        .hasMessageContaining("HTTP 400").hasMessageContaining("Invalid batch id");
    assertThat(calls.get("/v1/batches/chunked")).hasValue(1);
  }
}
