package dev.fanout.internal.telemetry.otel;

import dev.fanout.internal.telemetry.CallInfo;
import dev.fanout.internal.telemetry.ErrorTypes;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One logical call's CLIENT span. Named {@code {method}} (HTTP conventions) or, for a GenAI call,
 * {@code {gen_ai.operation.name} {gen_ai.request.model}} (GenAI conventions); its attempts are child spans.
 */
final class OtelCall implements Telemetry.CallScope {
  private final OtelTelemetry telemetry;
  final CallInfo info;
  final Span span;
  final Context context;
  final Attributes server;
  private final GenAiRequest genAi;
  private final long startNanos;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean firstChunk = new AtomicBoolean();
  private final AtomicInteger attempts = new AtomicInteger();
  /** The status code of the latest attempt that got one; 0 until then. */
  private final AtomicInteger lastStatus = new AtomicInteger();

  OtelCall(OtelTelemetry telemetry, Context parent, CallInfo info) {
    this.telemetry = telemetry;
    this.info = Objects.requireNonNull(info, "call == null");
    this.genAi = info.genAi().orElse(null);
    this.server = Semconv.server(info.url());
    this.startNanos = telemetry.clock.nanoTime();
    String name = genAi == null
        ? Semconv.httpSpanName(info.method())
        : genAi.operation().semconv() + genAi.model().map(m -> " " + m).orElse("");
    AttributesBuilder attrs = Attributes.builder().putAll(server).put(Semconv.URL_FULL, Semconv.urlFull(info.url()));
    Semconv.putMethod(attrs, info.method());
    if (genAi != null) {
      attrs.put(Semconv.GEN_AI_OPERATION_NAME, genAi.operation().semconv())
          .put(Semconv.GEN_AI_PROVIDER_NAME, genAi.provider());
      genAi.model().ifPresent(m -> attrs.put(Semconv.GEN_AI_REQUEST_MODEL, m));
      genAi.maxTokens().ifPresent(n -> attrs.put(Semconv.GEN_AI_REQUEST_MAX_TOKENS, (long) n));
      genAi.temperature().ifPresent(t -> attrs.put(Semconv.GEN_AI_REQUEST_TEMPERATURE, t));
      if (genAi.stream()) {
        attrs.put(Semconv.GEN_AI_REQUEST_STREAM, true); // only when streaming: unset means not streaming
      }
    }
    SpanBuilder builder = telemetry.tracer.spanBuilder(name)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(telemetry.epochNanos(), TimeUnit.NANOSECONDS)
        .setAllAttributes(attrs.build());
    this.span = builder.startSpan();
    this.context = parent.with(span);
    telemetry.instruments.activeCalls.add(1, server);
  }

  @Override
  public Telemetry.AttemptScope attemptStarted(int n) {
    return attempt(n, false);
  }

  @Override
  public Telemetry.AttemptScope hedgeSent(int n) {
    span.addEvent(Semconv.EVENT_HEDGE, Attributes.of(Semconv.FANOUT_ATTEMPT, (long) n),
        telemetry.epochNanos(), TimeUnit.NANOSECONDS);
    telemetry.instruments.hedges.add(1, server);
    return attempt(n, true);
  }

  private Telemetry.AttemptScope attempt(int n, boolean hedge) {
    if (n < 1) {
      throw new IllegalArgumentException("attempt < 1: " + n);
    }
    attempts.accumulateAndGet(n, Math::max);
    return new OtelAttempt(telemetry, this, n, hedge);
  }

  void responded(int statusCode) {
    lastStatus.set(statusCode);
  }

  @Override
  public void governorWait(Duration waited) {
    Objects.requireNonNull(waited, "waited == null");
    double s = OtelTelemetry.seconds(waited.toNanos());
    span.addEvent(Semconv.EVENT_GOVERNOR_WAIT, Attributes.of(Semconv.FANOUT_GOVERNOR_WAIT, s),
        telemetry.epochNanos(), TimeUnit.NANOSECONDS);
    telemetry.instruments.governorWait.record(s, server);
  }

  @Override
  public void firstChunk() {
    if (!firstChunk.compareAndSet(false, true) || ended.get()) {
      return;
    }
    double s = OtelTelemetry.seconds(telemetry.clock.nanoTime() - startNanos);
    span.setAttribute(Semconv.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, s);
    span.addEvent(Semconv.EVENT_FIRST_CHUNK, telemetry.epochNanos(), TimeUnit.NANOSECONDS);
    if (genAi != null) {
      telemetry.instruments.genAiFirstChunk.record(s, genAiMetricAttributes(null, null));
    }
  }

  @Override
  public void ended(Throwable error, GenAiResponse response) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    long elapsed = telemetry.clock.nanoTime() - startNanos;
    int status = lastStatus.get();
    if (status > 0) {
      span.setAttribute(Semconv.HTTP_RESPONSE_STATUS_CODE, (long) status);
    }
    span.setAttribute(Semconv.FANOUT_CALL_ATTEMPTS, (long) attempts.get());
    // a cancel the caller asked for is no error (HTTP conventions: status unset, no error.type)
    String errorType = error == null || ErrorTypes.isCancellation(error) ? null : ErrorTypes.of(error);
    if (errorType != null) {
      span.setAttribute(Semconv.ERROR_TYPE, errorType);
      Semconv.setError(span, errorType, status);
    }
    if (response != null) {
      response.id().ifPresent(id -> span.setAttribute(Semconv.GEN_AI_RESPONSE_ID, id));
      response.model().ifPresent(m -> span.setAttribute(Semconv.GEN_AI_RESPONSE_MODEL, m));
      if (!response.finishReasons().isEmpty()) {
        span.setAttribute(Semconv.GEN_AI_RESPONSE_FINISH_REASONS, response.finishReasons());
      }
      response.inputTokens().ifPresent(n -> span.setAttribute(Semconv.GEN_AI_USAGE_INPUT_TOKENS, n));
      response.outputTokens().ifPresent(n -> span.setAttribute(Semconv.GEN_AI_USAGE_OUTPUT_TOKENS, n));
      response.cacheCreationInputTokens().ifPresent(
          n -> span.setAttribute(Semconv.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, n));
      response.cacheReadInputTokens().ifPresent(n -> span.setAttribute(Semconv.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, n));
    }
    if (genAi != null) {
      Attributes metric = genAiMetricAttributes(response, errorType);
      telemetry.instruments.genAiDuration.record(OtelTelemetry.seconds(elapsed), metric);
      if (response != null) {
        response.inputTokens().ifPresent(n -> telemetry.instruments.genAiTokens.record(
            n, metric.toBuilder().put(Semconv.GEN_AI_TOKEN_TYPE, "input").build()));
        response.outputTokens().ifPresent(n -> telemetry.instruments.genAiTokens.record(
            n, metric.toBuilder().put(Semconv.GEN_AI_TOKEN_TYPE, "output").build()));
      }
    }
    telemetry.instruments.activeCalls.add(-1, server);
    span.end(telemetry.epochNanos(), TimeUnit.NANOSECONDS);
  }

  /** The GenAI metric attributes; {@code error.type} only on a failure (token usage never carries it). */
  private Attributes genAiMetricAttributes(GenAiResponse response, String errorType) {
    AttributesBuilder b = Attributes.builder().putAll(server)
        .put(Semconv.GEN_AI_OPERATION_NAME, genAi.operation().semconv())
        .put(Semconv.GEN_AI_PROVIDER_NAME, genAi.provider());
    genAi.model().ifPresent(m -> b.put(Semconv.GEN_AI_REQUEST_MODEL, m));
    if (response != null) {
      response.model().ifPresent(m -> b.put(Semconv.GEN_AI_RESPONSE_MODEL, m));
    }
    if (errorType != null) {
      b.put(Semconv.ERROR_TYPE, errorType);
    }
    return b.build();
  }
}
