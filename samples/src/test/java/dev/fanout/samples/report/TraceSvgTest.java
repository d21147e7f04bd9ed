package dev.fanout.samples.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.samples.otel.OtlpJsonExporters;
import dev.fanout.samples.otel.TraceFixture;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The trace renderer on the spans the telemetry component exports as OTLP JSON. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TraceSvgTest {

  private static List<String> exportedLines() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(OtlpJsonExporters.spans(out))).build())
        .build();
    TraceFixture.run(sdk);
    sdk.shutdown().join(10, TimeUnit.SECONDS);
    List<String> lines = new ArrayList<>();
    lines.add("[main] INFO some log line that is not JSON");
    lines.addAll(out.toString(StandardCharsets.UTF_8).lines().toList());
    return lines;
  }

  @Test
  void drawsOneBarPerSpanIndentedUnderItsParentWithEventsAndFailures() throws Exception {
    List<TraceSvg.SpanRow> spans = TraceSvg.parse(exportedLines());
    String traceId = TraceSvg.largestTrace(spans).orElseThrow();
    String svg = TraceSvg.svg(spans, traceId);

    DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))); // well-formed XML
    assertThat(count(svg, "<rect class=\"span ")).isEqualTo(TraceFixture.SPANS);
    assertThat(count(svg, "<rect class=\"span internal")).isEqualTo(1);
    assertThat(count(svg, "<rect class=\"span call")).isEqualTo(3);
    assertThat(count(svg, "<rect class=\"span attempt")).isEqualTo(5);
    assertThat(count(svg, "class=\"span attempt failed\"")).isEqualTo(1); // the 429 (the hedged-away one was cancelled: no error)
    assertThat(count(svg, "<path class=\"event\"")).isEqualTo(5); // governor wait, hedge, 3 first chunks
    assertThat(count(svg, "<rect class=\"wait\"")).isEqualTo(1);
    assertThat(svg).contains(">fanout settleAll<", ">chat gpt-4o-mini<", ">attempt 2<", ">hedge<",
        "trace " + traceId + " · 9 spans · 1 failed · 1.15 s");
    // Bars share the axis (0 to 1.2 s over 720 px): the 1.15 s fan-out starts at the left edge, 690 px wide.
    assertThat(svg).contains("x=\"330.0\" y=\"101\" width=\"690.0\" height=\"14\" rx=\"3\" fill=\"#7b5ea7\"");
  }

  @Test
  void mainWritesTheLargestTrace(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("spans.jsonl");
    Files.write(in, exportedLines());
    Path out = dir.resolve("trace.svg");
    TraceSvg.main(new String[] {in.toString(), out.toString()});
    assertThat(Files.readString(out)).startsWith("<svg ").contains("fanout settleAll");
  }

  @Test
  void anUnknownTraceIsRefusedByName() {
    List<TraceSvg.SpanRow> spans = TraceSvg.parse(exportedLines());
    assertThatThrownBy(() -> TraceSvg.svg(spans, "0123"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("no span of trace 0123");
  }

  private static int count(String s, String part) {
    return (int) Pattern.compile(Pattern.quote(part)).matcher(s).results().count();
  }
}
