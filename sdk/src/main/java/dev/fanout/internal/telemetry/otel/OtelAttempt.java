package dev.fanout.internal.telemetry.otel;

import dev.fanout.internal.telemetry.ErrorTypes;
import dev.fanout.internal.telemetry.Telemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Protocol;
import okhttp3.Request;

/**
 * One HTTP request on the wire: a CLIENT span {@code {method}} per the HTTP conventions, with
 * {@code http.request.resend_count} from the second attempt on, a {@code fanout.replay} event each time the
 * request is sent again unprocessed, and one {@code http.client.request.duration} measurement. Its span context is what {@link #inject} writes into the request.
 */
final class OtelAttempt implements Telemetry.AttemptScope {
  private final OtelTelemetry telemetry;
  private final OtelCall call;
  private final Span span;
  private final Context context;
  private final Attributes active;
  private final long startNanos;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile int status;
  private volatile String protocolVersion;

  OtelAttempt(OtelTelemetry telemetry, OtelCall call, int n, boolean hedge) {
    this.telemetry = telemetry;
    this.call = call;
    this.startNanos = telemetry.clock.nanoTime();
    AttributesBuilder attrs = Attributes.builder().putAll(call.server)
        .put(Semconv.URL_FULL, Semconv.urlFull(call.info.url()));
    Semconv.putMethod(attrs, call.info.method());
    if (n > 1) {
      attrs.put(Semconv.HTTP_REQUEST_RESEND_COUNT, (long) (n - 1));
    }
    if (hedge) {
      attrs.put(Semconv.FANOUT_ATTEMPT_HEDGE, true);
    }
    this.span = telemetry.tracer.spanBuilder(Semconv.httpSpanName(call.info.method()))
        .setParent(call.context)
        .setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(telemetry.epochNanos(), TimeUnit.NANOSECONDS)
        .setAllAttributes(attrs.build())
        .startSpan();
    this.context = call.context.with(span);
    // metrics: http.request.method alone (method_original is a span attribute: its values are unbounded)
    this.active = Attributes.builder().putAll(call.server)
        .put(Semconv.HTTP_REQUEST_METHOD, Semconv.method(call.info.method())).build();
    telemetry.instruments.httpActiveRequests.add(1, active);
  }

  @Override
  public void inject(Request.Builder request) {
    telemetry.inject(context, request);
  }

  @Override
  public void responded(int statusCode, Protocol protocol) {
    if (ended.get()) {
      return;
    }
    String version = Semconv.protocolVersion(protocol);
    protocolVersion = version;
    status = statusCode;
    call.responded(statusCode);
    span.setAttribute(Semconv.HTTP_RESPONSE_STATUS_CODE, (long) statusCode);
    if (version != null) {
      span.setAttribute(Semconv.NETWORK_PROTOCOL_VERSION, version);
    }
    if (statusCode == 429) {
      telemetry.instruments.rateLimited.add(1, call.server);
    }
  }

  @Override
  public void replayed() {
    if (ended.get()) {
      return;
    }
    span.addEvent(Semconv.EVENT_REPLAY, telemetry.epochNanos(), TimeUnit.NANOSECONDS);
    telemetry.instruments.replays.add(1, call.server);
  }

  @Override
  public void ended(Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    int code = status;
    String errorType = null;
    if (code >= 400) {
      errorType = Integer.toString(code);
    } else if (error != null && !ErrorTypes.isCancellation(error)) { // a cancel asked for is no error
      errorType = ErrorTypes.of(error);
    }
    AttributesBuilder metric = active.toBuilder();
    if (code > 0) {
      metric.put(Semconv.HTTP_RESPONSE_STATUS_CODE, (long) code);
    }
    String version = protocolVersion;
    if (version != null) {
      metric.put(Semconv.NETWORK_PROTOCOL_VERSION, version);
    }
    if (errorType != null) {
      span.setAttribute(Semconv.ERROR_TYPE, errorType);
      Semconv.setError(span, errorType, code);
      metric.put(Semconv.ERROR_TYPE, errorType);
    }
    telemetry.instruments.httpDuration.record(
        OtelTelemetry.seconds(telemetry.clock.nanoTime() - startNanos), metric.build());
    telemetry.instruments.httpActiveRequests.add(-1, active);
    span.end(telemetry.epochNanos(), TimeUnit.NANOSECONDS);
  }
}
