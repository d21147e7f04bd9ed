package dev.fanout.internal.telemetry;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.errors.ErrorResponse;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.telemetry.otel.OtelTelemetry;
import dev.fanout.testing.FakeClock;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Protocol;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenTelemetry implementation of {@link Telemetry}, driven by hand on a fake clock and read back from
 * an in-memory exporter and metric reader: every span, attribute, event and metric the SDK publishes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OtelTelemetryTest {
  private static final HttpUrl USERS = HttpUrl.get("http://users.example:8080/users/7?api_key=s3cret&page=2");
  private static final HttpUrl CHAT = HttpUrl.get("https://api.example.com/v1/chat/completions");

  private final OtelTestKit kit = new OtelTestKit();
  private final FakeClock clock = FakeClock.create();
  private final Telemetry telemetry = OtelTelemetry.create(kit.sdk, clock);

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void fanoutSpanParentsCallSpansWhichParentOneSpanPerAttempt() {
    Telemetry.FanoutScope fanout = telemetry.fanoutStarted("settleAll", 2, OptionalInt.of(8));
    Telemetry.CallScope call = fanout.callStarted(CallInfo.http("GET", USERS));
    Telemetry.AttemptScope first = call.attemptStarted(1);
    clock.advance(Duration.ofMillis(100));
    first.responded(503);
    first.ended(new ServiceException("HTTP 503", new ErrorResponse(503, "GET", "/users/7", Map.of(), "")));
    clock.advance(Duration.ofMillis(400)); // the backoff
    Telemetry.AttemptScope second = call.attemptStarted(2);
    clock.advance(Duration.ofMillis(50));
    second.responded(200);
    second.ended(null);
    call.ended(null, null);
    Telemetry.CallScope other = fanout.callStarted(CallInfo.http("GET", USERS));
    other.attemptStarted(1).ended(new TransportException("GET /users/7: timeout", new SocketTimeoutException("timeout")));
    other.ended(new TransportException("GET /users/7: timeout", new SocketTimeoutException("timeout")), null);
    fanout.ended(1, 1, 0, null);

    SpanData fanoutSpan = kit.span("fanout settleAll");
    assertThat(fanoutSpan.getKind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(fanoutSpan.getParentSpanContext().isValid()).isFalse();
    assertThat(fanoutSpan.getAttributes().asMap()).containsAllEntriesOf(Map.of(
        stringKey("fanout.combinator"), "settleAll",
        longKey("fanout.size"), 2L,
        longKey("fanout.bound"), 8L,
        longKey("fanout.calls.succeeded"), 1L,
        longKey("fanout.calls.failed"), 1L,
        longKey("fanout.calls.cancelled"), 0L));
    assertThat(fanoutSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    List<SpanData> calls = kit.childrenOf(fanoutSpan);
    assertThat(calls).hasSize(2).allSatisfy(c -> {
      assertThat(c.getName()).isEqualTo("GET");
      assertThat(c.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(c.getTraceId()).isEqualTo(fanoutSpan.getTraceId());
    });
    SpanData ok = calls.get(0);
    assertThat(ok.getAttributes().asMap()).containsAllEntriesOf(Map.of(
        stringKey("http.request.method"), "GET",
        stringKey("server.address"), "users.example",
        longKey("server.port"), 8080L,
        stringKey("url.full"), "http://users.example:8080/users/7?api_key=REDACTED&page=2",
        longKey("http.response.status_code"), 200L,
        longKey("fanout.call.attempts"), 2L));
    assertThat(ok.getAttributes().get(stringKey("error.type"))).isNull();
    assertThat(ok.getEndEpochNanos() - ok.getStartEpochNanos()).isEqualTo(Duration.ofMillis(550).toNanos());

    List<SpanData> attempts = kit.childrenOf(ok);
    assertThat(attempts).extracting(SpanData::getName).containsExactly("GET", "GET");
    assertThat(attempts).allSatisfy(a -> assertThat(a.getKind()).isEqualTo(SpanKind.CLIENT));
    SpanData a1 = attempts.get(0);
    SpanData a2 = attempts.get(1);
    assertThat(a1.getAttributes().get(longKey("http.request.resend_count"))).isNull();
    assertThat(a1.getAttributes().get(longKey("http.response.status_code"))).isEqualTo(503L);
    assertThat(a1.getAttributes().get(stringKey("error.type"))).isEqualTo("503");
    assertThat(a1.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(a1.getEndEpochNanos() - a1.getStartEpochNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(a2.getAttributes().get(longKey("http.request.resend_count"))).isEqualTo(1L);
    assertThat(a2.getAttributes().get(longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(a2.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(a2.getStartEpochNanos() - a1.getEndEpochNanos()).isEqualTo(Duration.ofMillis(400).toNanos());

    SpanData failed = calls.get(1);
    assertThat(failed.getAttributes().get(stringKey("error.type"))).isEqualTo("java.net.SocketTimeoutException");
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getAttributes().get(longKey("http.response.status_code"))).isNull();
    assertThat(kit.childrenOf(failed)).singleElement().satisfies(a ->
        assertThat(a.getAttributes().get(stringKey("error.type"))).isEqualTo("java.net.SocketTimeoutException"));
  }

  @Test
  void spanTimesComeFromTheClientsClock() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
    clock.advance(Duration.ofSeconds(30));
    call.ended(null, null);

    SpanData span = kit.span("GET");
    long start = FakeClock.DEFAULT_START.getEpochSecond() * 1_000_000_000L;
    assertThat(span.getStartEpochNanos()).isEqualTo(start);
    assertThat(span.getEndEpochNanos()).isEqualTo(start + Duration.ofSeconds(30).toNanos());
  }

  @Test
  void aCallOutsideAFanoutJoinsTheCurrentTrace() {
    Span parent = kit.sdk.getTracer("test").spanBuilder("request handler").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      telemetry.callStarted(CallInfo.http("GET", USERS)).ended(null, null);
      telemetry.fanoutStarted("all", 0, OptionalInt.empty()).ended(0, 0, 0, null);
    } finally {
      parent.end();
    }
    assertThat(kit.span("GET").getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId()); // no attempt here
    SpanData fanout = kit.span("fanout all");
    assertThat(fanout.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(fanout.getAttributes().get(longKey("fanout.bound"))).isNull();
  }

  @Test
  void traceparentCarriesTheAttemptsSpanContext() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
    Telemetry.AttemptScope attempt = call.attemptStarted(1);
    Request.Builder request = new Request.Builder().url(USERS);
    attempt.inject(request);
    attempt.ended(null);
    call.ended(null, null);

    String traceparent = request.build().header("traceparent");
    SpanData attemptSpan = kit.childrenOf(kit.root("GET")).get(0);
    // version-traceid-parentid-flags; the flags are the span's: sampled (01), here also W3C level 2's random (02).
    TraceFlags flags = attemptSpan.getSpanContext().getTraceFlags();
    assertThat(flags.isSampled()).isTrue();
    assertThat(traceparent)
        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
        .isEqualTo("00-" + attemptSpan.getTraceId() + "-" + attemptSpan.getSpanId() + "-" + flags.asHex());
    assertThat(request.build().header("tracestate")).isNull();
  }

  @Test
  void tracestateAndTheSampledFlagComeFromTheCallersContext() {
    SpanContext remote = SpanContext.createFromRemoteParent(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getDefault(),
        TraceState.builder().put("vendor", "opaque").build());
    Request.Builder request = new Request.Builder().url(USERS);
    try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
      Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
      Telemetry.AttemptScope attempt = call.attemptStarted(1);
      attempt.inject(request);
      attempt.ended(null);
      call.ended(null, null);
    }
    // The default sampler (parent-based) follows the unsampled remote parent: nothing is exported, yet the
    // trace id, the flag and the vendor's tracestate still reach the server.
    assertThat(kit.finished()).isEmpty();
    assertThat(request.build().header("traceparent")).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00");
    assertThat(request.build().header("traceparent")).doesNotContain("00f067aa0ba902b7");
    assertThat(request.build().header("tracestate")).isEqualTo("vendor=opaque");
  }

  @Test
  void chatCallFollowsTheGenAiConventions() {
    Telemetry.CallScope call = telemetry.callStarted(
        CallInfo.genAi("POST", CHAT, GenAiRequest.chat("gpt-4o-mini", 256, 0.2, true)));
    Telemetry.AttemptScope attempt = call.attemptStarted(1);
    clock.advance(Duration.ofMillis(300));
    attempt.responded(200);
    call.firstChunk();
    clock.advance(Duration.ofMillis(900));
    call.firstChunk(); // recorded once
    attempt.ended(null);
    call.ended(null, GenAiResponse.of("chatcmpl-42", "gpt-4o-mini-2024-07-18", List.of("stop"), 12L, 34L));

    SpanData span = kit.span("chat gpt-4o-mini");
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getAttributes().asMap()).containsAllEntriesOf(Map.ofEntries(
        Map.entry(stringKey("gen_ai.operation.name"), "chat"),
        Map.entry(stringKey("gen_ai.provider.name"), "openai"),
        Map.entry(stringKey("gen_ai.request.model"), "gpt-4o-mini"),
        Map.entry(longKey("gen_ai.request.max_tokens"), 256L),
        Map.entry(booleanKey("gen_ai.request.stream"), true),
        Map.entry(doubleKey("gen_ai.request.temperature"), 0.2),
        Map.entry(stringKey("gen_ai.response.model"), "gpt-4o-mini-2024-07-18"),
        Map.entry(stringKey("gen_ai.response.id"), "chatcmpl-42"),
        Map.entry(stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop")),
        Map.entry(longKey("gen_ai.usage.input_tokens"), 12L),
        Map.entry(longKey("gen_ai.usage.output_tokens"), 34L),
        Map.entry(stringKey("http.request.method"), "POST"),
        Map.entry(stringKey("server.address"), "api.example.com"),
        Map.entry(longKey("server.port"), 443L),
        Map.entry(longKey("http.response.status_code"), 200L)));
    assertThat(span.getAttributes().get(doubleKey("gen_ai.response.time_to_first_chunk"))).isCloseTo(0.3, within(1e-9));
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("fanout.first_chunk");
    assertThat(kit.childrenOf(span)).singleElement().satisfies(a -> assertThat(a.getName()).isEqualTo("POST"));

    Collection<MetricData> metrics = kit.metrics.collectAllMetrics();
    HistogramPointData duration = single(OtelTestKit.histogram(metrics, "gen_ai.client.operation.duration"));
    assertThat(duration.getSum()).isCloseTo(1.2, within(1e-9));
    assertThat(duration.getBoundaries()).containsExactly(
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
    assertThat(duration.getAttributes().asMap()).containsAllEntriesOf(Map.of(
        stringKey("gen_ai.operation.name"), "chat",
        stringKey("gen_ai.provider.name"), "openai",
        stringKey("gen_ai.request.model"), "gpt-4o-mini",
        stringKey("gen_ai.response.model"), "gpt-4o-mini-2024-07-18",
        stringKey("server.address"), "api.example.com",
        longKey("server.port"), 443L));
    assertThat(duration.getAttributes().get(stringKey("error.type"))).isNull();
    assertThat(metric(metrics, "gen_ai.client.operation.duration").getUnit()).isEqualTo("s");

    MetricData tokens = metric(metrics, "gen_ai.client.token.usage");
    assertThat(tokens.getUnit()).isEqualTo("{token}");
    assertThat(tokens.getHistogramData().getPoints()).hasSize(2).allSatisfy(p -> {
      assertThat(p.getCount()).isEqualTo(1);
      assertThat(p.getBoundaries()).startsWith(1.0, 4.0, 16.0).endsWith(67108864.0);
      assertThat(p.getSum()).isEqualTo(p.getAttributes().get(stringKey("gen_ai.token.type")).equals("input") ? 12 : 34);
    });
    assertThat(tokens.getHistogramData().getPoints())
        .extracting(p -> p.getAttributes().get(stringKey("gen_ai.token.type")))
        .containsExactlyInAnyOrder("input", "output");

    HistogramPointData ttfc = single(OtelTestKit.histogram(metrics, "gen_ai.client.operation.time_to_first_chunk"));
    assertThat(ttfc.getCount()).isEqualTo(1);
    assertThat(ttfc.getSum()).isCloseTo(0.3, within(1e-9));
    assertThat(ttfc.getBoundaries()).containsExactly(
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  }

  @Test
  void embeddingsSpanIsNamedAfterTheOperationAndAFailedOneCarriesTheErrorType() {
    Telemetry.CallScope call = telemetry.callStarted(
        CallInfo.genAi("POST", HttpUrl.get("https://api.example.com/v1/embeddings"), GenAiRequest.embeddings(null)));
    Telemetry.AttemptScope attempt = call.attemptStarted(1);
    attempt.responded(400);
    ServiceException error =
        new ServiceException("HTTP 400", new ErrorResponse(400, "POST", "/v1/embeddings", Map.of(), ""));
    attempt.ended(error);
    call.ended(error, null);

    SpanData span = kit.span("embeddings");
    assertThat(span.getAttributes().get(stringKey("gen_ai.operation.name"))).isEqualTo("embeddings");
    assertThat(span.getAttributes().get(stringKey("gen_ai.request.model"))).isNull();
    assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("400");
    HistogramPointData duration = single(OtelTestKit.histogram(kit.metrics.collectAllMetrics(), "gen_ai.client.operation.duration"));
    assertThat(duration.getAttributes().get(stringKey("error.type"))).isEqualTo("400");
    assertThat(OtelTestKit.metric(kit.metrics.collectAllMetrics(), "gen_ai.client.token.usage")).isEmpty();
  }

  @Test
  void httpClientRequestDurationIsOneMeasurementPerAttemptInSeconds() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
    Telemetry.AttemptScope first = call.attemptStarted(1);
    clock.advance(Duration.ofMillis(20));
    first.responded(429, Protocol.HTTP_2);
    first.ended(new ServiceException("HTTP 429", new ErrorResponse(429, "GET", "/users/7", Map.of(), "")));
    Telemetry.AttemptScope second = call.attemptStarted(2);
    clock.advance(Duration.ofMillis(80));
    second.responded(200, Protocol.HTTP_1_1);
    second.ended(null);
    call.ended(null, null);

    Collection<MetricData> metrics = kit.metrics.collectAllMetrics();
    MetricData duration = metric(metrics, "http.client.request.duration");
    assertThat(duration.getUnit()).isEqualTo("s");
    List<HistogramPointData> points = OtelTestKit.histogram(metrics, "http.client.request.duration");
    assertThat(points).hasSize(2).allSatisfy(p -> {
      assertThat(p.getCount()).isEqualTo(1);
      assertThat(p.getBoundaries()).containsExactly(
          0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
      assertThat(p.getAttributes().asMap()).containsAllEntriesOf(Map.of(
          stringKey("http.request.method"), "GET",
          stringKey("server.address"), "users.example",
          longKey("server.port"), 8080L));
      assertThat(p.getAttributes().get(stringKey("url.full"))).isNull(); // high cardinality: spans only
    });
    HistogramPointData limited = points.stream()
        .filter(p -> Long.valueOf(429).equals(p.getAttributes().get(longKey("http.response.status_code"))))
        .findFirst().orElseThrow();
    assertThat(limited.getSum()).isCloseTo(0.02, within(1e-9));
    assertThat(limited.getAttributes().get(stringKey("error.type"))).isEqualTo("429");
    assertThat(limited.getAttributes().get(stringKey("network.protocol.version"))).isEqualTo("2");
    HistogramPointData ok = points.stream()
        .filter(p -> Long.valueOf(200).equals(p.getAttributes().get(longKey("http.response.status_code"))))
        .findFirst().orElseThrow();
    assertThat(ok.getSum()).isCloseTo(0.08, within(1e-9));
    assertThat(ok.getAttributes().get(stringKey("network.protocol.version"))).isEqualTo("1.1");
    List<SpanData> attempts = kit.childrenOf(kit.root("GET"));
    assertThat(attempts).extracting(a -> a.getAttributes().get(stringKey("network.protocol.version")))
        .containsExactly("2", "1.1");
    // ERROR, with no description: the status code says why (HTTP conventions)
    assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(attempts.get(0).getStatus().getDescription()).isEmpty();
    assertThat(attempts.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    LongPointData rateLimited = single(OtelTestKit.longSum(metrics, "fanout.client.rate_limited"));
    assertThat(rateLimited.getValue()).isEqualTo(1);
    assertThat(rateLimited.getAttributes()).isEqualTo(
        Attributes.of(stringKey("server.address"), "users.example", longKey("server.port"), 8080L));
  }

  @Test
  void callsAndRequestsInFlightRiseAndFallExactlyOnce() {
    Telemetry.CallScope a = telemetry.callStarted(CallInfo.http("GET", USERS));
    Telemetry.CallScope b = telemetry.callStarted(CallInfo.http("GET", USERS));
    Telemetry.AttemptScope attempt = a.attemptStarted(1);
    assertThat(single(OtelTestKit.longSum(kit.metrics.collectAllMetrics(), "fanout.client.active_calls")).getValue()).isEqualTo(2);
    assertThat(single(OtelTestKit.longSum(kit.metrics.collectAllMetrics(), "http.client.active_requests")).getValue()).isEqualTo(1);

    attempt.ended(null);
    attempt.ended(null);
    a.ended(null, null);
    a.ended(new FanoutCancelledException("late"), null); // ignored: a scope ends once
    assertThat(single(OtelTestKit.longSum(kit.metrics.collectAllMetrics(), "fanout.client.active_calls")).getValue()).isEqualTo(1);
    assertThat(single(OtelTestKit.longSum(kit.metrics.collectAllMetrics(), "http.client.active_requests")).getValue()).isZero();

    b.ended(new FanoutCancelledException("cancelled"), null);
    Collection<MetricData> metrics = kit.metrics.collectAllMetrics();
    LongPointData calls = single(OtelTestKit.longSum(metrics, "fanout.client.active_calls"));
    assertThat(calls.getValue()).isZero();
    assertThat(metric(metrics, "fanout.client.active_calls").getLongSumData().isMonotonic()).isFalse();
    assertThat(kit.finished()).hasSize(3).allSatisfy(s -> {
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET); // b was cancelled: no error
      assertThat(s.getAttributes().get(stringKey("error.type"))).isNull();
    });
  }

  @Test
  void governorWaitsAndHedgesAreEventsOnTheCallAndMetrics() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
    call.governorWait(Duration.ofMillis(250));
    Telemetry.AttemptScope first = call.attemptStarted(1);
    clock.advance(Duration.ofMillis(100));
    Telemetry.AttemptScope hedge = call.hedgeSent(2);
    clock.advance(Duration.ofMillis(10));
    hedge.responded(200);
    hedge.ended(null);
    first.ended(new FanoutCancelledException("lost the race"));
    call.ended(null, null);

    SpanData span = kit.root("GET");
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("fanout.governor.wait", "fanout.hedge");
    assertThat(span.getEvents().get(0).getAttributes().get(doubleKey("fanout.governor.wait.duration"))).isEqualTo(0.25);
    assertThat(span.getEvents().get(1).getAttributes().get(longKey("fanout.attempt"))).isEqualTo(2L);
    assertThat(span.getEvents().get(1).getEpochNanos() - span.getStartEpochNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    List<SpanData> attempts = kit.childrenOf(span);
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).getAttributes().get(booleanKey("fanout.attempt.hedge"))).isNull();
    assertThat(attempts.get(1).getAttributes().get(booleanKey("fanout.attempt.hedge"))).isTrue();
    assertThat(attempts.get(1).getAttributes().get(longKey("http.request.resend_count"))).isEqualTo(1L);
    assertThat(attempts.get(0).getAttributes().get(stringKey("error.type"))).isNull(); // the losing request: cancelled, no error
    assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getAttributes().get(longKey("fanout.call.attempts"))).isEqualTo(2L);

    Collection<MetricData> metrics = kit.metrics.collectAllMetrics();
    HistogramPointData wait = single(OtelTestKit.histogram(metrics, "fanout.client.governor.wait.duration"));
    assertThat(wait.getCount()).isEqualTo(1);
    assertThat(wait.getSum()).isEqualTo(0.25);
    assertThat(metric(metrics, "fanout.client.governor.wait.duration").getUnit()).isEqualTo("s");
    assertThat(single(OtelTestKit.longSum(metrics, "fanout.client.hedges")).getValue()).isEqualTo(1);
  }

  @Test
  void aFailedFanoutIsAnErrorSpanAndEveryFanoutIsTimed() {
    Telemetry.FanoutScope fanout = telemetry.fanoutStarted("all", 3, OptionalInt.empty());
    clock.advance(Duration.ofSeconds(2));
    fanout.ended(1, 1, 1, new ServiceException("HTTP 500", new ErrorResponse(500, "GET", "/x", Map.of(), "")));
    fanout.ended(3, 0, 0, null); // ignored

    SpanData span = kit.span("fanout all");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("500");
    assertThat(span.getAttributes().get(longKey("fanout.calls.cancelled"))).isEqualTo(1L);
    HistogramPointData duration = single(OtelTestKit.histogram(kit.metrics.collectAllMetrics(), "fanout.client.fanout.duration"));
    assertThat(duration.getSum()).isEqualTo(2.0);
    assertThat(duration.getAttributes().asMap()).containsAllEntriesOf(Map.of(
        stringKey("fanout.combinator"), "all", stringKey("error.type"), "500"));
  }

  @Test
  void anUnknownMethodIsOtherAndKeepsItsOriginalName() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("purge", USERS));
    call.attemptStarted(1).ended(null);
    call.ended(null, null);
    assertThat(kit.finished()).hasSize(2).allSatisfy(s -> {
      assertThat(s.getName()).isEqualTo("HTTP");
      assertThat(s.getAttributes().get(stringKey("http.request.method"))).isEqualTo("_OTHER");
      assertThat(s.getAttributes().get(stringKey("http.request.method_original"))).isEqualTo("purge");
    });
  }

  /** {@code url.full}: credentials and the values of the query keys the HTTP conventions name are redacted. */
  @Test
  void urlFullRedactsUserInfoAndTheConventionsSensitiveQueryValues() {
    HttpUrl signed = HttpUrl.get("https://alice:pa55@storage.example/o/1?X-Amz-Signature=s1&X-Amz-Credential=c1"
        + "&X-Amz-Security-Token=t1&AWSAccessKeyId=a1&Signature=s2&sig=s3&X-Goog-Signature=s4&color=blue");
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", signed));
    call.attemptStarted(1).ended(null);
    call.ended(null, null);
    assertThat(kit.finished()).hasSize(2).allSatisfy(s -> {
      assertThat(s.getAttributes().get(stringKey("url.full"))).isEqualTo(
          "https://REDACTED:REDACTED@storage.example/o/1?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED"
              + "&X-Amz-Security-Token=REDACTED&AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED"
              + "&X-Goog-Signature=REDACTED&color=blue");
      assertThat(s.getAttributes().get(stringKey("server.address"))).isEqualTo("storage.example");
      assertThat(s.getAttributes().get(longKey("server.port"))).isEqualTo(443L);
    });
  }

  @Test
  void methodsAreCaseSensitiveSoALowerCaseGetIsOtherWithItsOriginal() {
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("get", USERS));
    Telemetry.AttemptScope attempt = call.attemptStarted(1);
    attempt.responded(200);
    attempt.ended(null);
    call.ended(null, null);
    assertThat(kit.finished()).hasSize(2).allSatisfy(s -> {
      assertThat(s.getName()).isEqualTo("HTTP");
      assertThat(s.getAttributes().get(stringKey("http.request.method"))).isEqualTo("_OTHER");
      assertThat(s.getAttributes().get(stringKey("http.request.method_original"))).isEqualTo("get");
    });
    HistogramPointData duration =
        single(OtelTestKit.histogram(kit.metrics.collectAllMetrics(), "http.client.request.duration"));
    assertThat(duration.getAttributes().get(stringKey("http.request.method"))).isEqualTo("_OTHER");
    assertThat(duration.getAttributes().get(stringKey("http.request.method_original"))).isNull(); // spans only
  }

  @Test
  void aCancelTheCallerAskedForIsNoErrorButATimeoutIs() {
    Telemetry.CallScope cancelled = telemetry.callStarted(CallInfo.http("GET", USERS));
    Telemetry.AttemptScope inFlight = cancelled.attemptStarted(1);
    FanoutCancelledException cancel = new FanoutCancelledException("GET /users/7: its context was cancelled");
    inFlight.ended(cancel);
    cancelled.ended(new java.util.concurrent.CompletionException(cancel), null);
    Telemetry.CallScope timedOut = telemetry.callStarted(CallInfo.http("POST", USERS));
    timedOut.ended(new FanoutTimeoutException("POST /users/7: deadline", Duration.ofSeconds(1)), null);

    assertThat(kit.finished()).filteredOn(s -> s.getName().equals("GET")).hasSize(2).allSatisfy(s -> {
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(s.getAttributes().get(stringKey("error.type"))).isNull();
    });
    SpanData post = kit.span("POST");
    assertThat(post.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(post.getAttributes().get(stringKey("error.type"))).isEqualTo("dev.fanout.errors.FanoutTimeoutException");
    HistogramPointData attempt =
        single(OtelTestKit.histogram(kit.metrics.collectAllMetrics(), "http.client.request.duration"));
    assertThat(attempt.getAttributes().get(stringKey("error.type"))).isNull();
    assertThat(ErrorTypes.isCancellation(new java.util.concurrent.CancellationException())).isTrue();
    assertThat(ErrorTypes.isCancellation(new TransportException("x", new SocketTimeoutException()))).isFalse();
  }

  @Test
  void streamingAndPromptCacheTokensFollowTheGenAiConventions() {
    Telemetry.CallScope plain = telemetry.callStarted(
        CallInfo.genAi("POST", CHAT, GenAiRequest.chat("gpt-4o-mini", null, null, false)));
    plain.ended(null, GenAiResponse.of("chatcmpl-1", "gpt-4o-mini", List.of("stop"), 10L, 2L));
    Telemetry.CallScope cached = telemetry.callStarted(CallInfo.genAi("POST", CHAT,
        new GenAiRequest(GenAiRequest.Operation.CHAT, "anthropic", java.util.Optional.of("claude-haiku-4-5"),
            OptionalInt.of(64), java.util.OptionalDouble.empty(), true)));
    cached.ended(null, GenAiResponse.of("msg_1", "claude-haiku-4-5", List.of("end_turn"), 175L, 5L)
        .withCacheInputTokens(25, 50));

    Attributes p = kit.span("chat gpt-4o-mini").getAttributes();
    assertThat(p.get(booleanKey("gen_ai.request.stream"))).isNull(); // unset means not streaming
    assertThat(p.get(longKey("gen_ai.usage.cache_read.input_tokens"))).isNull();
    assertThat(p.get(longKey("gen_ai.usage.cache_creation.input_tokens"))).isNull();
    Attributes c = kit.span("chat claude-haiku-4-5").getAttributes();
    assertThat(c.asMap()).containsAllEntriesOf(Map.of(
        stringKey("gen_ai.provider.name"), "anthropic",
        booleanKey("gen_ai.request.stream"), true,
        longKey("gen_ai.usage.input_tokens"), 175L, // every input token, cached ones included
        longKey("gen_ai.usage.cache_creation.input_tokens"), 25L,
        longKey("gen_ai.usage.cache_read.input_tokens"), 50L));
  }

  @Test
  void badInputIsRefusedWithTheBadValue() {
    assertThat(Telemetry.noop().isEnabled()).isFalse();
    assertThat(telemetry.isEnabled()).isTrue();
    assertThatThrownBy(() -> OtelTelemetry.create("not otel", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an io.opentelemetry.api.OpenTelemetry: java.lang.String");
    assertThatThrownBy(() -> OtelTelemetry.create(null, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an io.opentelemetry.api.OpenTelemetry: null");
    Telemetry.CallScope call = telemetry.callStarted(CallInfo.http("GET", USERS));
    assertThatThrownBy(() -> call.attemptStarted(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt < 1: 0");
  }

  @Test
  void errorTypeNamesTheStatusOrTheException() {
    assertThat(ErrorTypes.of(new ServiceException("HTTP 404", new ErrorResponse(404, "GET", "/x", Map.of(), ""))))
        .isEqualTo("404");
    assertThat(ErrorTypes.of(new java.util.concurrent.CompletionException(
        new TransportException("x", new java.net.ConnectException("refused")))))
        .isEqualTo("java.net.ConnectException");
    assertThat(ErrorTypes.of(new java.util.concurrent.CancellationException()))
        .isEqualTo("java.util.concurrent.CancellationException");
    assertThat(ErrorTypes.of(null)).isEqualTo("_OTHER");
  }

  private static <T> T single(List<T> points) {
    assertThat(points).hasSize(1);
    return points.get(0);
  }

  private static MetricData metric(Collection<MetricData> metrics, String name) {
    return OtelTestKit.metric(metrics, name).orElseThrow(() -> new AssertionError("no metric " + name));
  }
}
