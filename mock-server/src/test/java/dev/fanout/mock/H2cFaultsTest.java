package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The faults and the paced stream over h2c (prior knowledge), on both engines: each is per stream, the
 * connection stays.
 *
 * <p>Known gap of the MockWebServer engine over h2c (found by these tests, skipped there and named):
 * MockWebServer 5.5.1 ends an HTTP/2 stream normally when a response body throws, so the two
 * disconnect faults arrive as complete (empty or short) 200s, and a stalled stream whose client resets
 * it stays in flight until the backend closes. The Netty engine resets the stream and counts it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class H2cFaultsTest {
  static OkHttpClient client;

  @BeforeAll
  static void setUp() {
    client = Http.h2cClient(16);
  }

  @AfterAll
  static void tearDown() {
    Http.shutdown(client);
  }

  static final String MOCKWEBSERVER_H2C_GAP = "known gap: MockWebServer 5.5.1 does not reset an h2 stream for"
      + " a failing body nor report a client's reset (see the class doc)";

  private static MockBackend start(Engine engine, Latency latency, Faults faults) {
    return MockBackend.builder().engine(engine).http2PriorKnowledge(true).latency(latency).faults(faults)
        .recordedRequests(0).start();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void injectedErrorAndMalformedJson(Engine engine) throws IOException {
    try (MockBackend backend = start(engine, Latency.none(), Faults.builder().errorRate(1).build())) {
      Http.Result r = Http.get(client, backend.url() + "/users/1");
      assertThat(r.code()).isIn(500, 502, 503);
      assertThat(r.json().get("error").get("message").asText()).contains("injected");
    }
    try (MockBackend backend = start(engine, Latency.none(), Faults.builder().malformedJsonRate(1).build())) {
      Http.Result r = Http.get(client, backend.url() + "/users/1");
      assertThat(r.code()).isEqualTo(200);
      assertThatThrownBy(r::json).isInstanceOf(JsonProcessingException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void disconnectBeforeBodyFailsTheStream(Engine engine) throws Exception {
    disconnectFailsTheStream(engine, Faults.builder().disconnectBeforeBodyRate(1).build());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void disconnectDuringBodyFailsTheStream(Engine engine) throws Exception {
    disconnectFailsTheStream(engine, Faults.builder().disconnectDuringBodyRate(1).build());
  }

  private static void disconnectFailsTheStream(Engine engine, Faults faults) throws Exception {
    assumeTrue(engine == Engine.NETTY, MOCKWEBSERVER_H2C_GAP);
    try (MockBackend backend = start(engine, Latency.none(), faults)) {
      assertThatThrownBy(() -> Http.get(client, backend.url() + "/search?q=x&k=20")).isInstanceOf(IOException.class);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.aborted()).isEqualTo(1);
      assertThat(stats.completed()).isZero();
      // The connection is still good for the next stream.
      assertThat(Http.get(client, backend.url() + "/__admin/stats").code()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aStalledStreamIsAbortedWhenTheClientGivesUp(Engine engine) throws Exception {
    assumeTrue(engine == Engine.NETTY, MOCKWEBSERVER_H2C_GAP);
    OkHttpClient impatient = client.newBuilder().readTimeout(Duration.ofMillis(300)).build();
    try (MockBackend backend = start(engine, Latency.none(), Faults.builder().stallRate(1).build())) {
      assertThatThrownBy(() -> Http.get(impatient, backend.url() + "/users/1")).isInstanceOf(InterruptedIOException.class);
      ConcurrencyTest.awaitStats(backend, s -> s.aborted() == 1);
      assertThat(backend.stats().faults(Stats.STALL)).isEqualTo(1);
      assertThat(backend.stats().inFlight()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void streamedChatIsPacedOverH2c(Engine engine) throws Exception {
    Latency l = Latency.none().newBuilder().route(Routes.CHAT, Latency.builder().delay(Duration.ZERO)
        .timeToFirstToken(Duration.ofMillis(200)).perTokenDelay(Duration.ofMillis(20)).build()).build();
    try (MockBackend backend = start(engine, l, Faults.none())) {
      Request call = new Request.Builder().url(backend.url() + "/v1/chat/completions")
          .post(RequestBody.create("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}", Http.JSON_TYPE))
          .build();
      long start = System.nanoTime();
      List<Long> arrivals = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      try (Response r = client.newCall(call).execute()) {
        assertThat(r.header("Content-Type")).startsWith("text/event-stream");
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.startsWith("data: ")) {
            arrivals.add(System.nanoTime() - start);
            lines.add(line);
          }
        }
      }
      assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
      assertThat(lines.get(0)).contains("\"role\":\"assistant\"");
      assertThat(arrivals.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
      // Paced: [DONE] (sent with the last event) comes after every per-token delay, measured from the start,
      // which the server's waits guarantee (a gap between two client-side arrivals would not be).
      assertThat(arrivals.get(arrivals.size() - 1))
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200 + 20L * (lines.size() - 2)));
      assertThat(backend.awaitIdle(Duration.ofSeconds(5)).completed()).isEqualTo(1);
    }
  }
}
