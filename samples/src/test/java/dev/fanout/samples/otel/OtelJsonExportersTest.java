package dev.fanout.samples.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.samples.report.TraceSvg;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The logging-otlp exporters write OTLP JSON, one ResourceSpans / ResourceMetrics object a line. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OtelJsonExportersTest {

  @Test
  void spansAndMetricsAreWrittenAsOtlpJsonLines() throws Exception {
    ByteArrayOutputStream spans = new ByteArrayOutputStream();
    ByteArrayOutputStream metrics = new ByteArrayOutputStream();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(OtlpJsonExporters.spans(spans))).build())
        .setMeterProvider(SdkMeterProvider.builder()
            .registerMetricReader(PeriodicMetricReader.create(OtlpJsonExporters.metrics(metrics))).build())
        .build();
    TraceFixture.run(sdk);
    sdk.shutdown().join(10, TimeUnit.SECONDS);

    List<String> spanLines = spans.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(spanLines).hasSize(TraceFixture.SPANS); // SimpleSpanProcessor: one span per export
    JsonNode first = new ObjectMapper().readTree(spanLines.get(0));
    assertThat(first.path("scopeSpans").get(0).path("scope").path("name").asText()).isEqualTo("dev.fanout");
    JsonNode span = first.path("scopeSpans").get(0).path("spans").get(0);
    assertThat(span.path("traceId").asText()).matches("[0-9a-f]{32}");
    assertThat(span.path("startTimeUnixNano").asText()).matches("\\d+");
    assertThat(TraceSvg.parse(spanLines)).hasSize(TraceFixture.SPANS);

    String metricText = metrics.toString(StandardCharsets.UTF_8);
    JsonNode m = new ObjectMapper().readTree(metricText.lines().findFirst().orElseThrow());
    List<String> names = m.path("scopeMetrics").get(0).path("metrics").findValuesAsText("name");
    assertThat(names).contains("http.client.request.duration", "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage", "fanout.client.active_calls", "fanout.client.rate_limited",
        "fanout.client.governor.wait.duration", "fanout.client.hedges");
  }
}
