package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * 5xx; it waits what {@code retry-after-ms} or {@code retry-after} names up to a minute, its own pause
 * otherwise. Each batch id is its own route; its first answer is the failure, the next a success.
 */
@Timeout(10)
class OpenAiBatchesRetryTest {
  private static final String KEY = "sk-proj-batches-0123456789abcdefghij";

  private final MockWebServer server = new MockWebServer();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final List<Long> pauses = new CopyOnWriteArrayList<>();
  private OpenAiBatches api;

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        return n == 1 ? firstAnswer(path) : json(200, "{\"id\":\"batch_ok\",\"object\":\"batch\"}");
      }
    });
    server.start();
    api = OpenAiBatches.builder().baseUrl(server.url("/").toString()).apiKey(KEY).pause(pauses::add).build();
  }

  @AfterEach
  void tearDown() {
    api.close();
    server.close();
  }

  private static MockResponse firstAnswer(String path) {
    switch (path) {
      case "/v1/batches/ms":
        return json(429, "{}").newBuilder().setHeader("retry-after-ms", "250").setHeader("retry-after", "1").build();
      case "/v1/batches/seconds":
        return json(503, "{}").newBuilder().setHeader("retry-after", "2.5").build();
      case "/v1/batches/day":
        return json(429, "{}").newBuilder().setHeader("retry-after", "86400").build();
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
    assertThat(pauses).containsExactly(250L);
  }

  @Test
  void waitsFractionalRetryAfterSeconds() {
    api.batch("seconds");
    assertThat(pauses).containsExactly(2500L);
  }

  @Test
  void aWaitOverAMinuteOrNotANumberGetsItsOwnPause() {
    api.batch("day");
    api.batch("infinity");
    assertThat(pauses).containsExactly(1000L, 1000L);
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
