package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.samples.report.TraceSvg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * A sample run with {@code OTEL_TRACES_EXPORTER=logging-otlp} (here its system property
 * {@code otel.traces.exporter}) writes its client's spans as OTLP JSON to standard error: a fan-out span per
 * fan-out with the calls as its children, each with its attempt.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SamplesTelemetryTest {

  @Test
  void usersWithLoggingOtlpPrintsTheFanoutsTrace() {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    int exit;
    System.setProperty("otel.traces.exporter", "logging-otlp");
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CommandLine cmd = Main.commandLine();
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(new StringWriter(), true));
      exit = cmd.execute("users", "--mode", "all", "--ids", "1-5", "--latency", "10ms");
    } finally {
      System.setErr(stderr);
      System.clearProperty("otel.traces.exporter");
    }
    assertThat(exit).as(out.toString()).isZero();

    List<TraceSvg.SpanRow> spans = TraceSvg.parse(captured.toString(StandardCharsets.UTF_8).lines().toList());
    List<TraceSvg.SpanRow> fanouts = spans.stream().filter(s -> s.name().startsWith("fanout ")).toList();
    assertThat(fanouts).isNotEmpty();
    TraceSvg.SpanRow fanout = fanouts.get(0);
    List<TraceSvg.SpanRow> calls = spans.stream().filter(s -> fanout.spanId().equals(s.parentSpanId())).toList();
    assertThat(calls).hasSize(5).allSatisfy(call -> {
      assertThat(call.traceId()).isEqualTo(fanout.traceId());
      assertThat(spans).anySatisfy(attempt -> assertThat(attempt.parentSpanId()).isEqualTo(call.spanId()));
    });
  }
}
