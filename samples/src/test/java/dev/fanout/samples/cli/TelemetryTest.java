package dev.fanout.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.samples.otel.TraceFixture;
import dev.fanout.samples.report.TraceSvg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The samples' OpenTelemetry comes from the standard OTEL_* variables, and only when one is set. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TelemetryTest {

  @Test
  void withoutAnyOtelSettingNothingIsBuilt() {
    try (Telemetry t = Telemetry.from(Map.of("PATH", "/usr/bin", "HOME", "/root"), Map.of("user.dir", "/"))) {
      assertThat(t.openTelemetry()).isEmpty();
      assertThat(t).hasToString("Telemetry{off}");
    }
  }

  @Test
  void sdkDisabledWins() {
    try (Telemetry t = Telemetry.from(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true"), Map.of())) {
      assertThat(t.openTelemetry()).isEmpty();
    }
  }

  @Test
  void loggingOtlpWritesEverySpanAsOtlpJsonToStandardError() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Telemetry t = Telemetry.from(Map.of("OTEL_TRACES_EXPORTER", "logging-otlp"), Map.of())) {
      assertThat(t.openTelemetry()).isPresent();
      TraceFixture.run(t.openTelemetry().orElseThrow());
    } finally {
      System.setErr(err);
    }
    var spans = TraceSvg.parse(captured.toString(StandardCharsets.UTF_8).lines().toList());
    assertThat(spans).hasSize(TraceFixture.SPANS);
    assertThat(spans).extracting(TraceSvg.SpanRow::name).contains("fanout settleAll", "chat gpt-4o-mini", "POST");
  }

  @ParameterizedTest(name = "OTEL_EXPORTER_OTLP_PROTOCOL={0}")
  @CsvSource({
      "grpc,          /opentelemetry.proto.collector.trace.v1.TraceService/Export, application/grpc",
      "http/protobuf, /v1/traces,                                                  application/x-protobuf"})
  void otlpSendsToTheCollectorAtTheEndpointWithTheServiceName(String protocol, String path, String type)
      throws Exception {
    try (MockWebServer collector = new MockWebServer()) {
      for (int i = 0; i < 4; i++) {
        collector.enqueue(new MockResponse.Builder().code(200).build());
      }
      if (protocol.equals("grpc")) {
        collector.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)); // gRPC to an http:// endpoint is h2c
      }
      collector.start();
      try (Telemetry t = Telemetry.from(Map.of(
          "OTEL_TRACES_EXPORTER", "otlp",
          "OTEL_EXPORTER_OTLP_PROTOCOL", protocol,
          "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getPort(),
          "OTEL_SERVICE_NAME", "fanout-test"), Map.of())) {
        TraceFixture.run(t.openTelemetry().orElseThrow());
      }
      RecordedRequest export = collector.takeRequest(10, TimeUnit.SECONDS);
      assertThat(export).isNotNull();
      assertThat(export.getMethod()).isEqualTo("POST");
      assertThat(export.getUrl().encodedPath()).isEqualTo(path);
      assertThat(export.getHeaders().get("Content-Type")).isEqualTo(type);
      String body = export.getBody().string(StandardCharsets.ISO_8859_1);
      assertThat(body).contains("fanout-test", "fanout settleAll", "gen_ai.operation.name");
      // Metrics were not named, so none go to the collector (the samples default every exporter to none).
      assertThat(collector.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void systemPropertiesCountAsSettingsToo() {
    try (Telemetry t = Telemetry.from(Map.of(), Map.of("otel.traces.exporter", "none"))) {
      assertThat(t.openTelemetry()).isPresent();
    }
  }
}
