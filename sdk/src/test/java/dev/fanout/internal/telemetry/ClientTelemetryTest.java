package dev.fanout.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.ClientStats;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.GovernorPolicy;
import dev.fanout.FanoutOptions;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Stats;
import dev.fanout.mock.TraceContext;
import dev.fanout.users.User;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code FanoutClient.builder().openTelemetry(..)} end to end: a real client against the mock server, its
 * spans in an in-memory exporter, and the {@code traceparent} the server received.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientTelemetryTest {
  private static final AttributeKey<Long> RESEND = AttributeKey.longKey("http.request.resend_count");
  private static final AttributeKey<Double> FIRST_CHUNK =
      AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");

  @Test
  void aFanoutIsOneTraceWithACallSpanPerTaskAndTheServerSawEachAttemptsSpan() throws Exception {
    try (OtelTestKit kit = new OtelTestKit();
        MockBackend backend = MockBackend.builder().latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).openTelemetry(kit.sdk).build()) {
      List<User> users = Fanout.all(List.of(1L, 2L, 3L), (id, ctx) -> client.users().getAsync(id),
          FanoutOptions.builder().maxConcurrency(2).build()).get(30, TimeUnit.SECONDS);
      assertThat(users).hasSize(3);

      // The fan-out, a call per task, an attempt per call: each ended before the future above it completed,
      // so get() returning is enough (no waiting).
      assertThat(kit.finished()).hasSize(1 + 3 + 3);
      SpanData fanout = kit.root("fanout all");
      assertThat(fanout.getAttributes().get(AttributeKey.stringKey("fanout.combinator"))).isEqualTo("all");
      assertThat(fanout.getAttributes().get(AttributeKey.longKey("fanout.size"))).isEqualTo(3);
      assertThat(fanout.getAttributes().get(AttributeKey.longKey("fanout.bound"))).isEqualTo(2);
      assertThat(fanout.getAttributes().get(AttributeKey.longKey("fanout.calls.succeeded"))).isEqualTo(3);
      assertThat(fanout.getAttributes().get(AttributeKey.longKey("fanout.calls.failed"))).isEqualTo(0);

      List<SpanData> calls = kit.childrenOf(fanout);
      assertThat(calls).hasSize(3).allSatisfy(call -> {
        assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(call.getTraceId()).isEqualTo(fanout.getTraceId());
      });
      List<String> attemptIds = new ArrayList<>();
      for (SpanData call : calls) {
        List<SpanData> attempts = kit.childrenOf(call);
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).getAttributes().get(RESEND)).isNull();
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.stringKey("network.protocol.version")))
            .as("what OkHttp negotiated with the HTTP/1.1 mock").isEqualTo("1.1");
        attemptIds.add(attempts.get(0).getSpanId());
      }

      List<String> received = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ReceivedRequest request = backend.takeRequest(5, TimeUnit.SECONDS);
        TraceContext trace = TraceContext.of(request).orElseThrow();
        assertThat(trace.traceId()).isEqualTo(fanout.getTraceId());
        received.add(trace.parentId());
      }
      assertThat(received).containsExactlyInAnyOrderElementsOf(attemptIds);
      assertThat(backend.traceStats().recentTraceIds()).containsExactly(fanout.getTraceId());
    }
  }

  @Test
  void aRetryIsAResendSpanUnderTheSameCallAndEachAttemptSendsItsOwnTraceparent() throws Exception {
    try (OtelTestKit kit = new OtelTestKit(); MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(503).body("{\"error\":\"busy\"}").build());
      server.enqueue(new MockResponse.Builder().code(200)
          .body("{\"id\":7,\"name\":\"Ada\",\"email\":\"ada@example.com\"}").build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
          .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
          .openTelemetry(kit.sdk)
          .build()) {
        client.users().get(7);
        assertThat(kit.finished()).as("the call and its two attempts, ended before get() returned").hasSize(3);
      }

      List<SpanData> roots = kit.finished().stream().filter(s -> !s.getParentSpanContext().isValid()).toList();
      assertThat(roots).hasSize(1); // no fan-out: the call is the root
      SpanData call = roots.get(0);
      List<SpanData> attempts = kit.childrenOf(call);
      assertThat(attempts).hasSize(2);
      assertThat(attempts.get(0).getAttributes().get(RESEND)).isNull();
      assertThat(attempts.get(0).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
          .isEqualTo(503);
      assertThat(attempts.get(1).getAttributes().get(RESEND)).isEqualTo(1);
      assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
          .isEqualTo(200);

      for (SpanData attempt : attempts) {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        TraceContext trace = TraceContext.parse(request.getHeaders().get("traceparent"), null).orElseThrow();
        assertThat(trace.traceId()).isEqualTo(call.getTraceId());
        assertThat(trace.parentId()).isEqualTo(attempt.getSpanId());
      }
    }
  }

  /** A query parameter name the user added to the redacted ones is redacted in {@code url.full} too. */
  @Test
  void aNameTheUserAddsIsRedactedInUrlFull() throws Exception {
    try (OtelTestKit kit = new OtelTestKit(); MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
          .redactedQueryParameters("ticket").openTelemetry(kit.sdk).build()) {
        client.json().get("items?ticket=TKT-7f3a9c2e5b8d1046&api_key=k-123456789&page=2",
            com.fasterxml.jackson.databind.JsonNode.class);
      }
      assertThat(kit.finished()).isNotEmpty().allSatisfy(span -> assertThat(
          span.getAttributes().get(AttributeKey.stringKey("url.full")))
          .endsWith("/items?ticket=REDACTED&api_key=REDACTED&page=2"));
    }
  }

  /** The key, the prompt and the answer (request and response bodies) reach no span, event or metric. */
  @Test
  void neitherTheKeyNorAnyBodyReachesASpanAnEventOrAMetric() throws Exception {
    String key = "sk-test-KEY-0001";
    String prompt = "PROMPT-SECRET-42";
    String answer = "ANSWER-SECRET-43";
    try (OtelTestKit kit = new OtelTestKit(); MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
          .body("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + answer + "\"},"
              + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}")
          .build());
      server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
          .body("{\"error\":{\"message\":\"rejected " + key + " for " + prompt + "\",\"type\":\"invalid_request_error\"}}")
          .build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/v1/").toString()).apiKey(key)
          .openTelemetry(kit.sdk).build()) {
        ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addUserMessage(prompt).build();
        assertThat(client.chat().create(request).choices().get(0).message().content()).contains(answer);
        assertThatThrownBy(() -> client.chat().create(request)).hasMessageContaining("400");
      }
      assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + key); // it was sent

      StringBuilder seen = new StringBuilder();
      for (SpanData span : kit.finished()) {
        seen.append(span.getName()).append(span.getAttributes()).append(span.getStatus());
        span.getEvents().forEach(e -> seen.append(e.getName()).append(e.getAttributes()));
      }
      kit.metrics.collectAllMetrics().forEach(m -> m.getData().getPoints().forEach(p -> seen.append(p.getAttributes())));
      assertThat(seen).contains("gpt-4o-mini", "chatcmpl-1", "400"); // the dump holds what was recorded
      assertThat(seen.toString()).doesNotContain(key, "KEY-0001", prompt, answer);
    }
  }

  @Test
  void aChatCallCarriesTheGenAiAttributesAndTokenUsage() throws Exception {
    try (OtelTestKit kit = new OtelTestKit();
        MockBackend backend = MockBackend.builder().latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).openTelemetry(kit.sdk).build()) {
      ChatCompletion completion = client.chat().create(
          ChatRequest.builder().model("gpt-4o-mini").maxTokens(16).addUserMessage("hi").build());
      ChatCompletion streamed = client.chat().stream(
          ChatRequest.builder().model("gpt-4o-mini").streamUsage(true).addUserMessage("hi").build(), d -> {});
      assertThat(kit.finished()).as("two calls, an attempt each, ended before they returned").hasSize(4);

      List<SpanData> chats = kit.finished().stream().filter(s -> s.getName().equals("chat gpt-4o-mini")).toList();
      assertThat(chats).hasSize(2);
      for (SpanData span : chats) {
        var a = span.getAttributes();
        assertThat(a.get(AttributeKey.stringKey("gen_ai.operation.name"))).isEqualTo("chat");
        assertThat(a.get(AttributeKey.stringKey("gen_ai.provider.name"))).isEqualTo("openai");
        assertThat(a.get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("gpt-4o-mini");
        assertThat(a.get(AttributeKey.stringKey("gen_ai.response.model"))).isNotBlank();
        assertThat(a.get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isPositive();
        assertThat(a.get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isPositive();
        assertThat(a.get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"))).isNotEmpty();
      }
      SpanData plain = chats.stream().filter(s -> s.getAttributes().get(FIRST_CHUNK) == null).findFirst().orElseThrow();
      assertThat(plain.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
          .isEqualTo(completion.usage().orElseThrow().promptTokens());
      assertThat(plain.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens"))).isEqualTo(16);
      SpanData stream = chats.stream().filter(s -> s != plain).findFirst().orElseThrow();
      assertThat(stream.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
          .isEqualTo(streamed.usage().orElseThrow().completionTokens());
      assertThat(stream.getAttributes().get(FIRST_CHUNK)).isNotNull().isGreaterThanOrEqualTo(0.0);

      var metrics = kit.metrics.collectAllMetrics();
      assertThat(OtelTestKit.histogram(metrics, "gen_ai.client.operation.duration")
          .stream().mapToLong(p -> p.getCount()).sum()).isEqualTo(2);
      assertThat(OtelTestKit.histogram(metrics, "gen_ai.client.operation.time_to_first_chunk")
          .stream().mapToLong(p -> p.getCount()).sum()).isEqualTo(1);
      long input = completion.usage().orElseThrow().promptTokens() + streamed.usage().orElseThrow().promptTokens();
      assertThat(OtelTestKit.histogram(metrics, "gen_ai.client.token.usage").stream()
          .filter(p -> "input".equals(p.getAttributes().get(AttributeKey.stringKey("gen_ai.token.type"))))
          .mapToDouble(p -> p.getSum()).sum()).isEqualTo((double) input);
      assertThat(OtelTestKit.histogram(metrics, "http.client.request.duration")
          .stream().mapToLong(p -> p.getCount()).sum()).isEqualTo(2);
    }
  }

  /**
   * The governor's waits are events on the call spans, the 429s attempt spans with that status, and the
   * client's stats count the same hooks: OpenTelemetry and {@code stats()} side by side agree, and agree with
   * the server's own count of 429s.
   */
  @Test
  void governorWaitsAreSpanEventsAndTheClientStatsCountTheSameHooks() throws Exception {
    int calls = 200;
    try (OtelTestKit kit = new OtelTestKit();
        MockBackend backend = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(20)))
            .faults(Faults.builder().requestsPerMinute(6000).meterDepth(Duration.ofSeconds(1)).build())
            .start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(calls)
            .governor(GovernorPolicy.defaults())
            .openTelemetry(kit.sdk)
            .build()) {
      ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addUserMessage("hi").maxTokens(8).build();
      Fanout.settleAll(java.util.Collections.nCopies(calls, request), (r, ctx) -> client.chat().createAsync(r),
          FanoutOptions.builder().build()).get(50, TimeUnit.SECONDS);
      Stats server = backend.awaitIdle(Duration.ofSeconds(10));
      ClientStats stats = client.stats();

      List<SpanData> callSpans = kit.finished().stream().filter(s -> s.getName().equals("chat gpt-4o-mini")).toList();
      assertThat(callSpans).hasSize(calls);
      long waitEvents = callSpans.stream().flatMap(s -> s.getEvents().stream())
          .filter(e -> e.getName().equals("fanout.governor.wait")).count();
      assertThat(waitEvents).as("governor-wait events").isPositive().isEqualTo(stats.governorWaits());
      long limited = kit.finished().stream()
          .filter(s -> Long.valueOf(429).equals(s.getAttributes().get(AttributeKey.longKey("http.response.status_code"))))
          .count();
      assertThat(limited).isEqualTo(stats.tooManyRequests()).isEqualTo(server.faults(Stats.RATE_LIMITED));
      assertThat(stats.callsStarted()).isEqualTo(calls);
      assertThat(stats.attemptsStarted()).isEqualTo(server.totalRequests());
    }
  }

  @Test
  void openTelemetryMustBeAnOpenTelemetry() {
    assertThatThrownBy(() -> FanoutClient.builder().openTelemetry("otel"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.String");
  }
}
