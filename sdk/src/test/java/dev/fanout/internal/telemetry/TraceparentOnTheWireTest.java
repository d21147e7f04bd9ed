package dev.fanout.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.TraceContext;
import dev.fanout.mock.TraceStats;
import dev.fanout.internal.telemetry.otel.OtelTelemetry;
import dev.fanout.testing.FakeClock;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import dev.fanout.mock.ReceivedRequest;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the backend receives: each attempt's {@code traceparent} names the attempt's span, and every request
 * of one fan-out carries the fan-out's trace id, as the mock server records them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceparentOnTheWireTest {

  @Test
  void everyRequestOfAFanoutCarriesItsAttemptsSpanInTheFanoutsTrace() throws Exception {
    OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
    try (OtelTestKit kit = new OtelTestKit();
        MockBackend backend = MockBackend.builder().latency(Latency.none()).start()) {
      Telemetry telemetry = OtelTelemetry.create(kit.sdk, FakeClock.create());
      Telemetry.FanoutScope fanout = telemetry.fanoutStarted("all", 3, OptionalInt.empty());
      for (int id = 1; id <= 3; id++) {
        HttpUrl url = HttpUrl.get(backend.url() + "/users/" + id);
        Telemetry.CallScope call = fanout.callStarted(CallInfo.http("GET", url));
        Telemetry.AttemptScope attempt = call.attemptStarted(1);
        Request.Builder request = new Request.Builder().url(url);
        attempt.inject(request);
        try (Response response = http.newCall(request.build()).execute()) {
          attempt.responded(response.code());
          response.body().string();
        }
        attempt.ended(null);
        call.ended(null, null);
      }
      fanout.ended(3, 0, 0, null);

      SpanData root = kit.root("fanout all");
      List<String> attemptSpanIds = kit.childrenOf(root).stream()
          .flatMap(call -> kit.childrenOf(call).stream()).map(SpanData::getSpanId).toList();
      assertThat(attemptSpanIds).hasSize(3);
      for (String spanId : attemptSpanIds) {
        ReceivedRequest received = backend.takeRequest(5, TimeUnit.SECONDS);
        TraceContext trace = TraceContext.of(received).orElseThrow();
        assertThat(trace.traceId()).isEqualTo(root.getTraceId());
        assertThat(trace.parentId()).isEqualTo(spanId);
        assertThat(trace.sampled()).isTrue();
      }
      TraceStats stats = backend.traceStats();
      assertThat(stats.withTraceparent()).isEqualTo(3);
      assertThat(stats.invalidTraceparent()).isZero();
      assertThat(stats.recentTraceIds()).containsExactly(root.getTraceId());
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }
}
