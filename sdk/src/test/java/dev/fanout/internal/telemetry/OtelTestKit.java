package dev.fanout.internal.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** An OpenTelemetry SDK that keeps every span and metric in memory, with W3C trace context propagation. */
final class OtelTestKit implements AutoCloseable {
  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();

  List<SpanData> finished() {
    return spans.getFinishedSpanItems();
  }

  SpanData span(String name) {
    List<SpanData> named = finished().stream().filter(s -> s.getName().equals(name)).toList();
    if (named.size() != 1) {
      throw new AssertionError("expected one span named " + name + ", got " + named.size() + ": " + finished());
    }
    return named.get(0);
  }

  /** Returns the one span named {@code name} that has no parent in this process. */
  SpanData root(String name) {
    List<SpanData> named = finished().stream()
        .filter(s -> s.getName().equals(name) && !s.getParentSpanContext().isValid()).toList();
    if (named.size() != 1) {
      throw new AssertionError("expected one root span named " + name + ", got " + named.size() + ": " + finished());
    }
    return named.get(0);
  }

  List<SpanData> childrenOf(SpanData parent) {
    return finished().stream()
        .filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
        .sorted((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()))
        .toList();
  }

  /** Collects once and returns the named metric (metrics are cumulative: collect again for newer values). */
  static Optional<MetricData> metric(Collection<MetricData> all, String name) {
    return all.stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  static List<HistogramPointData> histogram(Collection<MetricData> all, String name) {
    return metric(all, name).orElseThrow(() -> new AssertionError("no metric " + name + " in " + names(all)))
        .getHistogramData().getPoints().stream().collect(Collectors.toList());
  }

  static List<LongPointData> longSum(Collection<MetricData> all, String name) {
    return metric(all, name).orElseThrow(() -> new AssertionError("no metric " + name + " in " + names(all)))
        .getLongSumData().getPoints().stream().collect(Collectors.toList());
  }

  static <T> T attr(Attributes attributes, AttributeKey<T> key) {
    return attributes.get(key);
  }

  private static List<String> names(Collection<MetricData> all) {
    return all.stream().map(MetricData::getName).toList();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
