package dev.fanout.samples.otel;

import io.opentelemetry.exporter.internal.otlp.metrics.ResourceMetricsMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.ResourceSpansMarshaler;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.metrics.ConfigurableMetricExporterProvider;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Objects;

/**
 * The {@code logging-otlp} exporters for traces and metrics: every batch written as lines of OTLP JSON (one
 * {@code ResourceSpans} or {@code ResourceMetrics} object a line, the shape {@code otlp/json} collectors and
 * {@code opentelemetry-exporter-logging-otlp} use), to standard error.
 *
 * <p>Why our own: {@code opentelemetry-exporter-logging-otlp} does not resolve from the registry this build
 * uses; these write the same JSON with {@code opentelemetry-exporter-otlp-common}'s marshalers, and register
 * under the same name, so {@code OTEL_TRACES_EXPORTER=logging-otlp} works as documented upstream.
 */
public final class OtlpJsonExporters {
  /** The exporter name, as {@code OTEL_TRACES_EXPORTER} / {@code OTEL_METRICS_EXPORTER} spell it. */
  public static final String NAME = "logging-otlp";

  private OtlpJsonExporters() {}

  /** Returns a span exporter writing OTLP JSON lines to {@code out}. */
  public static SpanExporter spans(OutputStream out) {
    return new Spans(out);
  }

  /** Returns a metric exporter writing OTLP JSON lines (cumulative) to {@code out}. */
  public static MetricExporter metrics(OutputStream out) {
    return new Metrics(out);
  }

  /** Registers {@code logging-otlp} for {@code OTEL_TRACES_EXPORTER}. */
  public static final class SpanProvider implements ConfigurableSpanExporterProvider {
    @Override
    public SpanExporter createExporter(ConfigProperties config) {
      return spans(System.err);
    }

    @Override
    public String getName() {
      return NAME;
    }
  }

  /** Registers {@code logging-otlp} for {@code OTEL_METRICS_EXPORTER}. */
  public static final class MetricProvider implements ConfigurableMetricExporterProvider {
    @Override
    public MetricExporter createExporter(ConfigProperties config) {
      return metrics(System.err);
    }

    @Override
    public String getName() {
      return NAME;
    }
  }

  /** What both exporters share: the stream they write whole lines of OTLP JSON to, which they do not close. */
  private abstract static class JsonLines {
    private final OutputStream out;
    private final String name;

    JsonLines(OutputStream out, String name) {
      this.out = Objects.requireNonNull(out, "out == null");
      this.name = name;
    }

    /** Writes each item as one line, the batch at once. */
    final CompletableResultCode write(Iterable<? extends io.opentelemetry.exporter.internal.marshal.Marshaler> items) {
      try {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (var item : items) {
          item.writeJsonTo(lines);
          lines.write('\n');
        }
        synchronized (out) {
          out.write(lines.toByteArray());
          out.flush();
        }
        return CompletableResultCode.ofSuccess();
      } catch (IOException e) {
        return CompletableResultCode.ofFailure();
      }
    }

    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    public CompletableResultCode shutdown() {
      if (out instanceof PrintStream) {
        ((PrintStream) out).flush();
      }
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final class Spans extends JsonLines implements SpanExporter {
    Spans(OutputStream out) {
      super(out, "OtlpJsonExporters.spans");
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return write(java.util.List.of(ResourceSpansMarshaler.create(spans)));
    }
  }

  private static final class Metrics extends JsonLines implements MetricExporter {
    Metrics(OutputStream out) {
      super(out, "OtlpJsonExporters.metrics");
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      return write(java.util.List.of(ResourceMetricsMarshaler.create(metrics)));
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }
  }
}
