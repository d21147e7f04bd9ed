package dev.fanout.internal.telemetry.otel;

import dev.fanout.internal.telemetry.CallInfo;
import dev.fanout.internal.telemetry.ErrorTypes;
import dev.fanout.internal.telemetry.Telemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One fan-out's INTERNAL span, {@code fanout {combinator}}, the parent of its calls' spans. */
final class OtelFanout implements Telemetry.FanoutScope {
  private final OtelTelemetry telemetry;
  private final String combinator;
  private final Span span;
  private final Context context;
  private final long startNanos;
  private final AtomicBoolean ended = new AtomicBoolean();

  OtelFanout(OtelTelemetry telemetry, Context parent, String combinator, int size, OptionalInt bound) {
    this.telemetry = telemetry;
    this.combinator = combinator;
    this.startNanos = telemetry.clock.nanoTime();
    var builder = telemetry.tracer.spanBuilder("fanout " + combinator)
        .setParent(parent)
        .setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(telemetry.epochNanos(), TimeUnit.NANOSECONDS)
        .setAttribute(Semconv.FANOUT_COMBINATOR, combinator)
        .setAttribute(Semconv.FANOUT_SIZE, (long) size);
    if (bound.isPresent()) {
      builder.setAttribute(Semconv.FANOUT_BOUND, (long) bound.getAsInt());
    }
    this.span = builder.startSpan();
    this.context = parent.with(span);
  }

  @Override
  public Telemetry.CallScope callStarted(CallInfo call) {
    return new OtelCall(telemetry, context, call);
  }

  @Override
  public void ended(int succeeded, int failed, int cancelled, Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    span.setAttribute(Semconv.FANOUT_SUCCEEDED, (long) succeeded);
    span.setAttribute(Semconv.FANOUT_FAILED, (long) failed);
    span.setAttribute(Semconv.FANOUT_CANCELLED, (long) cancelled);
    AttributesBuilder metric = Attributes.builder().put(Semconv.FANOUT_COMBINATOR, combinator);
    if (error != null) {
      String type = ErrorTypes.of(error);
      span.setAttribute(Semconv.ERROR_TYPE, type);
      span.setStatus(StatusCode.ERROR, type);
      metric.put(Semconv.ERROR_TYPE, type);
    }
    telemetry.instruments.fanoutDuration.record(
        OtelTelemetry.seconds(telemetry.clock.nanoTime() - startNanos), metric.build());
    span.end(telemetry.epochNanos(), TimeUnit.NANOSECONDS);
  }
}
