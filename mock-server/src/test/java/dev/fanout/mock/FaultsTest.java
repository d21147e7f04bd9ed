package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest {
  /** The engine under test: MockWebServer here, Netty in {@link FaultsNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }

  static OkHttpClient client;

  @BeforeAll
  static void setUp() {
    client = Http.client(64);
  }

  @AfterAll
  static void tearDown() {
    Http.shutdown(client);
  }

  static final Faults MIXED = Faults.builder()
      .seed(42)
      .errorRate(0.10)
      .malformedJsonRate(0.10)
      .disconnectBeforeBodyRate(0.05)
      .disconnectDuringBodyRate(0.05)
      .build();

  /** Sends n sequential requests and classifies each outcome as the client sees it. */
  static List<String> outcomes(MockBackend backend, int n) {
    List<String> seen = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      try {
        Http.Result r = Http.get(client, backend.url() + "/users/" + i);
        if (r.code() >= 500) {
          seen.add("error5xx");
        } else {
          try {
            Http.JSON.readTree(r.body());
            seen.add("ok");
          } catch (JsonProcessingException e) {
            seen.add("malformedJson");
          }
        }
      } catch (IOException e) {
        seen.add("disconnect");
      }
    }
    return seen;
  }

  static Map<String, Integer> counts(List<String> outcomes) {
    Map<String, Integer> m = new TreeMap<>();
    for (String o : outcomes) m.merge(o, 1, Integer::sum);
    return m;
  }

  @Test
  void seededFaultsAreReproducibleAndWithinStatisticalBounds() throws Exception {
    int n = 400;
    List<String> first;
    Stats firstStats;
    try (MockBackend backend = builder().latency(Latency.none()).faults(MIXED).start()) {
      first = outcomes(backend, n);
      firstStats = backend.awaitIdle(Duration.ofSeconds(5));
    }
    List<String> second;
    try (MockBackend backend = builder().latency(Latency.none()).faults(MIXED).start()) {
      second = outcomes(backend, n);
      assertThat(backend.stats().faultsInjected()).isEqualTo(firstStats.faultsInjected());
    }
    assertThat(second).isEqualTo(first); // same sequence, request by request

    Map<String, Integer> c = counts(first);
    // Binomial(400, p): mean 40 (sd 6) for 10 %, 20 (sd 4.4) for 5 %; bounds are about 4 sd.
    assertThat(c.get("error5xx")).isBetween(16, 64);
    assertThat(c.get("malformedJson")).isBetween(16, 64);
    assertThat(c.get("disconnect")).isBetween(16, 64); // before + during body
    assertThat(firstStats.faults(Stats.ERROR_5XX)).isEqualTo(c.get("error5xx").longValue());
    assertThat(firstStats.faults(Stats.MALFORMED_JSON)).isEqualTo(c.get("malformedJson").longValue());
    assertThat(firstStats.faults(Stats.DISCONNECT_BEFORE_BODY) + firstStats.faults(Stats.DISCONNECT_DURING_BODY))
        .isEqualTo(c.get("disconnect").longValue());
    assertThat(firstStats.faults(Stats.DISCONNECT_BEFORE_BODY)).isBetween(4L, 40L);
    assertThat(firstStats.faults(Stats.DISCONNECT_DURING_BODY)).isBetween(4L, 40L);
    assertThat(firstStats.aborted()).isEqualTo(c.get("disconnect").longValue());
    assertThat(firstStats.completed()).isEqualTo((long) n - c.get("disconnect"));
    assertThat(firstStats.inFlight()).isZero();

    // Another seed draws another sequence.
    try (MockBackend backend = builder().latency(Latency.none())
        .faults(MIXED.newBuilder().seed(7).build()).start()) {
      assertThat(outcomes(backend, n)).isNotEqualTo(first);
    }
  }

  @Test
  void resetRestartsTheSeededSequence() {
    try (MockBackend backend = builder().latency(Latency.none()).faults(MIXED).start()) {
      List<String> first = outcomes(backend, 60);
      backend.reset();
      assertThat(outcomes(backend, 60)).isEqualTo(first);
    }
  }

  @Test
  void injectedErrorsAre5xxWithJsonBody() throws IOException {
    try (MockBackend backend = builder().latency(Latency.none())
        .faults(Faults.builder().errorRate(1).build()).start()) {
      Http.Result r = Http.get(client, backend.url() + "/users/1");
      assertThat(r.code()).isIn(500, 502, 503);
      assertThat(r.json().get("error").get("type").asText()).isNotBlank();
    }
  }

  @Test
  void perRouteFaultsOverrideTheGlobalOnes() throws IOException {
    Faults faults = Faults.builder().route(Routes.CHAT, Faults.builder().errorRate(1).build()).build();
    try (MockBackend backend = builder().latency(Latency.none()).faults(faults).start()) {
      assertThat(Http.get(client, backend.url() + "/users/1").code()).isEqualTo(200);
      assertThat(Http.post(client, backend.url() + "/v1/chat/completions",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").code()).isGreaterThanOrEqualTo(500);
    }
  }

  @Test
  void rateLimitAnswers429WithRetryAfter() throws IOException {
    Faults faults = Faults.builder().rateLimit(2, 5).build(); // 5 at once, then 2 per second
    try (MockBackend backend = builder().latency(Latency.none()).faults(faults).start()) {
      int ok = 0;
      Http.Result limited = null;
      for (int i = 0; i < 20; i++) {
        Http.Result r = Http.get(client, backend.url() + "/users/1");
        if (r.code() == 200) ok++;
        else limited = r;
      }
      assertThat(ok).isBetween(5, 7);
      assertThat(limited).isNotNull();
      assertThat(limited.code()).isEqualTo(429);
      assertThat(Long.parseLong(limited.headers().get("Retry-After"))).isBetween(1L, 1L);
      assertThat(Long.parseLong(limited.headers().get("Retry-After-Ms"))).isBetween(1L, 500L);
      assertThat(limited.json().get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(backend.stats().faults(Stats.RATE_LIMITED)).isEqualTo(20 - ok);
    }
  }

  @Test
  void chatTokensPerMinuteLimitsChatOnly() throws IOException {
    Faults faults = Faults.builder().chatTokensPerMinute(100).build();
    String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens please\"}],\"max_tokens\":20}";
    try (MockBackend backend = builder().latency(Latency.none()).faults(faults).start()) {
      int ok = 0;
      Http.Result limited = null;
      for (int i = 0; i < 10; i++) {
        Http.Result r = Http.post(client, backend.url() + "/v1/chat/completions", chat);
        if (r.code() == 200) ok++;
        else limited = r;
      }
      assertThat(ok).isBetween(2, 4); // each costs about 30 tokens
      assertThat(limited.code()).isEqualTo(429);
      assertThat(limited.json().get("error").get("type").asText()).isEqualTo("tokens");
      assertThat(Long.parseLong(limited.headers().get("Retry-After-Ms"))).isPositive();
      assertThat(Http.get(client, backend.url() + "/users/1").code()).isEqualTo(200);
    }
  }

  @Test
  void stallNeverAnswersAndIsAbortedWhenTheClientGivesUp() throws Exception {
    OkHttpClient impatient = client.newBuilder().readTimeout(Duration.ofMillis(300)).build();
    try (MockBackend backend = builder().latency(Latency.none())
        .faults(Faults.builder().stallRate(1).build()).start()) {
      assertThatThrownBy(() -> Http.get(impatient, backend.url() + "/users/1")).isInstanceOf(InterruptedIOException.class);
      ConcurrencyTest.awaitStats(backend, s -> s.aborted() == 1);
      assertThat(backend.stats().faults(Stats.STALL)).isEqualTo(1);
      assertThat(backend.stats().inFlight()).isZero();
    }
  }

  @Test
  void disconnectDuringBodyCutsTheBodyShort() throws Exception {
    try (MockBackend backend = builder().latency(Latency.none())
        .faults(Faults.builder().disconnectDuringBodyRate(1).build()).start()) {
      assertThatThrownBy(() -> Http.get(client, backend.url() + "/search?q=x&k=20")).isInstanceOf(IOException.class);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
      assertThat(stats.aborted()).isEqualTo(1);
      assertThat(stats.completed()).isZero();
    }
  }

  @Test
  void malformedJsonIs200WithATruncatedBody() throws IOException {
    try (MockBackend backend = builder().latency(Latency.none())
        .faults(Faults.builder().malformedJsonRate(1).build()).start()) {
      Http.Result r = Http.get(client, backend.url() + "/users/1");
      assertThat(r.code()).isEqualTo(200);
      assertThatThrownBy(r::json).isInstanceOf(JsonProcessingException.class);
    }
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> Faults.builder().errorRate(1.5)).hasMessage("errorRate not in [0, 1]: 1.5");
    assertThatThrownBy(() -> Faults.builder().stallRate(-0.1)).hasMessage("stallRate not in [0, 1]: -0.1");
    assertThatThrownBy(() -> Faults.builder().errorRate(0.6).stallRate(0.6).build())
        .hasMessageStartingWith("fault probabilities sum to more than 1");
    assertThatThrownBy(() -> Faults.builder().rateLimit(-1)).hasMessage("requestsPerSecond < 0 or not finite: -1.0");
    assertThatThrownBy(() -> Faults.builder().rateLimit(10, Double.POSITIVE_INFINITY))
        .hasMessage("burst < 0 or not finite: Infinity");
    assertThatThrownBy(() -> Faults.builder().rateLimit(10, Double.NaN)).hasMessage("burst < 0 or not finite: NaN");
    assertThatThrownBy(() -> Faults.builder().rateLimit(10, 0.5)).hasMessage("burst < 1: 0.5");
    assertThatThrownBy(() -> Faults.builder().route("nope", Faults.none())).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> Faults.builder().chatTokensPerMinute(-5)).hasMessage("chatTokensPerMinute < 0: -5");
  }
}
