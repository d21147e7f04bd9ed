package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The mock records the W3C trace context each request carries, on both engines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceContextTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String VALID = "00-" + TRACE + "-00f067aa0ba902b7-01";

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | true",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03 | true",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01 | false",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01 | false",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01 | false",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | false",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra | false",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra | true",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x | false",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 | false",
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01 | false",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01 | false",
  })
  void parseAcceptsWhatTheW3cRulesAccept(String traceparent, boolean valid) {
    assertThat(TraceContext.parse(traceparent, null).isPresent()).as(traceparent).isEqualTo(valid);
  }

  @Test
  void parsedFields() {
    TraceContext t = TraceContext.parse(VALID, " vendor=opaque,other=1 ").orElseThrow();
    assertThat(t.version()).isEqualTo("00");
    assertThat(t.traceId()).isEqualTo(TRACE);
    assertThat(t.parentId()).isEqualTo("00f067aa0ba902b7");
    assertThat(t.flags()).isEqualTo("01");
    assertThat(t.sampled()).isTrue();
    assertThat(t.tracestate()).contains("vendor=opaque,other=1");
    assertThat(t.traceparent()).isEqualTo(VALID);
    assertThat(TraceContext.parse(VALID.replace("-01", "-02"), "").orElseThrow().sampled()).isFalse();
    assertThat(TraceContext.parse(null, "vendor=x")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void recordedRequestsAndAdminStatsShowTheTraceContext(Engine engine) throws Exception {
    OkHttpClient http = Http.client(4);
    try (MockBackend backend = MockBackend.builder().engine(engine).latency(Latency.none()).start()) {
      String other = "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01";
      get(http, backend, VALID, "vendor=opaque");
      get(http, backend, VALID.replace("00f067aa0ba902b7", "1111111111111111"), null);
      get(http, backend, other, null);
      get(http, backend, "garbage", null);
      get(http, backend, null, null);

      ReceivedRequest first = backend.takeRequest(5, TimeUnit.SECONDS);
      assertThat(TraceContext.of(first)).hasValueSatisfying(t -> {
        assertThat(t.traceId()).isEqualTo(TRACE);
        assertThat(t.parentId()).isEqualTo("00f067aa0ba902b7");
        assertThat(t.tracestate()).contains("vendor=opaque");
      });
      TraceStats traces = backend.traceStats();
      assertThat(traces.withTraceparent()).isEqualTo(3);
      assertThat(traces.invalidTraceparent()).isEqualTo(1);
      assertThat(traces.withoutTraceparent()).isEqualTo(1);
      assertThat(traces.withTracestate()).isEqualTo(1);
      assertThat(traces.recentTraceIds()).containsExactly(TRACE, "a".repeat(32));

      JsonNode admin = Http.JSON.readTree(body(http, backend.url() + "/__admin/stats", null, null));
      JsonNode section = admin.get("traceContext");
      assertThat(section.get("withTraceparent").asLong()).isEqualTo(3);
      assertThat(section.get("invalidTraceparent").asLong()).isEqualTo(1);
      assertThat(section.get("withoutTraceparent").asLong()).isEqualTo(1);
      assertThat(section.get("recentTraceIds")).extracting(JsonNode::asText).containsExactly(TRACE, "a".repeat(32));
      assertThat(admin.get("totalRequests").asLong()).isEqualTo(6); // the admin request counts, but not as traced

      backend.reset();
      assertThat(backend.traceStats()).isEqualTo(new TraceStats(0, 0, 0, 0, List.of()));
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  @Test
  void onlyTheMostRecentTraceIdsAreKept() throws Exception {
    OkHttpClient http = Http.client(4);
    try (MockBackend backend = MockBackend.builder().latency(Latency.none()).recordedRequests(0).start()) {
      for (int i = 0; i < TraceStats.RECENT_TRACE_IDS + 3; i++) {
        get(http, backend, "00-" + String.format("%032x", i + 1) + "-00f067aa0ba902b7-01", null);
      }
      List<String> ids = backend.traceStats().recentTraceIds();
      assertThat(ids).hasSize(TraceStats.RECENT_TRACE_IDS);
      assertThat(ids.get(0)).isEqualTo(String.format("%032x", 4));
      assertThat(ids.get(ids.size() - 1)).isEqualTo(String.format("%032x", TraceStats.RECENT_TRACE_IDS + 3));
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static void get(OkHttpClient http, MockBackend backend, String traceparent, String tracestate) throws Exception {
    body(http, backend.url() + "/users/1", traceparent, tracestate);
  }

  private static String body(OkHttpClient http, String url, String traceparent, String tracestate) throws Exception {
    Request.Builder b = new Request.Builder().url(url);
    if (traceparent != null) b.header("traceparent", traceparent);
    if (tracestate != null) b.header("tracestate", tracestate);
    try (Response r = http.newCall(b.build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }
}
