package dev.fanout.chat;

import static dev.fanout.chat.ChatToolsTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.AutoAdvance;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streams assembled from OpenAI's chunks: tool-call fragments, every choice, finish reasons and usage. */
@Timeout(20)
class ChatStreamAssemblyTest {
  private static final String HEAD = "{\"id\":\"chatcmpl-S1\",\"object\":\"chat.completion.chunk\",\"created\":1747000001,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\",";

  /**
   * Two parallel tool calls streamed as gpt-4o-mini does: each call's first fragment has its index, id, type
   * and name with empty arguments; its arguments follow in pieces; the two calls interleave here; then a
   * chunk with the finish reason, then (stream_options.include_usage) a usage chunk with no choices.
   */
  private static final String PARALLEL_TOOL_CALLS = sse(
      choice("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_W1\",\"type\":\"function\","
          + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}],\"refusal\":null}", null),
      choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"ci\"}}]}", null),
      choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ty\\\": \\\"Par\"}}]}", null),
      choice("{\"tool_calls\":[{\"index\":1,\"id\":\"call_T2\",\"type\":\"function\","
          + "\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]}", null),
      choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"is\\\"}\"}}]}", null),
      choice("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null),
      choice("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\" \\\"Paris\\\"}\"}}]}", null),
      choice("{}", "\"tool_calls\""),
      HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":47,\"total_tokens\":129,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}");

  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).jitter(0).build()).clock(time.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
    time.close();
  }

  private static String choice(String delta, String finishReason) {
    return choice(0, delta, finishReason);
  }

  private static String choice(int index, String delta, String finishReason) {
    return HEAD + "\"choices\":[{\"index\":" + index + ",\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
        + finishReason + "}],\"usage\":null}";
  }

  private static String sse(String... chunks) {
    StringBuilder b = new StringBuilder();
    for (String c : chunks) {
      b.append("data: ").append(c).append("\n\n");
    }
    return b.append("data: [DONE]\n\n").toString();
  }

  private static MockResponse stream(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build();
  }

  private static ChatRequest toolRequest(boolean usage) {
    return ChatRequest.builder().model("gpt-4o-mini").addUserMessage("Weather and time in Paris?")
        .addTool(ChatToolsTest.WEATHER).addTool(ChatToolsTest.TIME).streamUsage(usage).build();
  }

  /** Records every callback in order. */
  static final class Recorder implements ChatStreamListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<ToolCallDelta> toolDeltas = new CopyOnWriteArrayList<>();

    @Override
    public void onContentDelta(int choiceIndex, String text) {
      events.add("text " + choiceIndex + ": " + text);
    }

    @Override
    public void onToolCallDelta(ToolCallDelta delta) {
      toolDeltas.add(delta);
      events.add("tool " + delta.choiceIndex() + "/" + delta.index() + ": " + delta.argumentsFragment());
    }

    @Override
    public void onRefusalDelta(int choiceIndex, String text) {
      events.add("refusal " + choiceIndex + ": " + text);
    }

    @Override
    public void onFinish(int choiceIndex, FinishReason reason) {
      events.add("finish " + choiceIndex + ": " + reason);
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void assemblesParallelToolCallsFromFragments(boolean async) throws Exception {
    server.enqueue(stream(PARALLEL_TOOL_CALLS));
    Recorder recorder = new Recorder();

    ChatCompletion c = async
        ? HttpEngine.await(client.chat().streamAsync(toolRequest(true), recorder))
        : client.chat().stream(toolRequest(true), recorder);

    assertThat(c.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(c.toolCalls()).containsExactly(
        ToolCall.function("call_W1", "get_weather", "{\"city\": \"Paris\"}"),
        ToolCall.function("call_T2", "get_time", "{\"city\": \"Paris\"}"));
    assertThat(c.toolCalls().get(0).arguments(ChatToolsTest.WeatherArgs.class).city()).isEqualTo("Paris");
    assertThat(c.message().hasContent()).isFalse();
    assertThat(c.usage()).hasValueSatisfying(u -> {
      assertThat(u.totalTokens()).isEqualTo(129);
      assertThat(u.cachedTokens()).hasValue(0);
    });
    assertThat(c.id()).isEqualTo("chatcmpl-S1");
    assertThat(c.systemFingerprint()).contains("fp_44709d6fcb");
    assertThat(c.raw().get("service_tier").asText()).isEqualTo("default");
    assertThat(recorder.events).containsExactly(
        "tool 0/0: ", "tool 0/0: {\"ci", "tool 0/0: ty\": \"Par", "tool 0/1: ", "tool 0/0: is\"}",
        "tool 0/1: {\"city\":", "tool 0/1:  \"Paris\"}", "finish 0: TOOL_CALLS");
    assertThat(recorder.toolDeltas.get(0).id()).contains("call_W1");
    assertThat(recorder.toolDeltas.get(0).name()).contains("get_weather");
    assertThat(recorder.toolDeltas.get(1).id()).isEmpty();
    assertThat(recorder.toolDeltas.get(3)).isEqualTo(
        new ToolCallDelta(0, 1, Optional.of("call_T2"), Optional.of("get_time"), ""));

    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    JsonNode body = json(r.getBody().utf8());
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("stream_options")).isEqualTo(json("{\"include_usage\":true}"));
    assertThat(body.get("tools")).hasSize(2);
  }

  @Test
  void theTextFormSeesNoToolFragmentsButGetsTheAssembledCalls() {
    server.enqueue(stream(PARALLEL_TOOL_CALLS));
    List<String> deltas = new CopyOnWriteArrayList<>();

    ChatCompletion c = client.chat().stream(toolRequest(true), deltas::add);

    assertThat(deltas).isEmpty();
    assertThat(c.toolCalls()).extracting(ToolCall::name).containsExactly("get_weather", "get_time");
  }

  @Test
  void withoutStreamUsageNoStreamOptionsAreSentAndUsageIsEmpty() throws Exception {
    server.enqueue(stream(sse(choice("{\"role\":\"assistant\",\"content\":\"\"}", null),
        choice("{\"content\":\"Hi\"}", null), choice("{}", "\"stop\""))));

    ChatCompletion c = client.chat().stream(
        ChatRequest.builder().model("m").addUserMessage("hi").build(), ChatStreamListener.ofContent(d -> { }));

    assertThat(c.content()).isEqualTo("Hi");
    assertThat(c.usage()).isEmpty();
    assertThat(json(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).has("stream_options")).isFalse();
  }

  @Test
  void streamsEveryChoiceOfN2() {
    server.enqueue(stream(sse(
        choice(0, "{\"role\":\"assistant\",\"content\":\"\"}", null),
        choice(1, "{\"role\":\"assistant\",\"content\":\"\"}", null),
        choice(0, "{\"content\":\"Sa\"}", null),
        choice(1, "{\"content\":\"Bon\"}", null),
        choice(1, "{\"content\":\"jour\"}", null),
        choice(0, "{\"content\":\"lut\"}", null),
        choice(1, "{}", "\"length\""),
        choice(0, "{}", "\"stop\""),
        HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}")));
    Recorder recorder = new Recorder();
    List<String> firstOnly = new CopyOnWriteArrayList<>();
    ChatRequest request = ChatRequest.builder().model("m").addUserMessage("hi").n(2).streamUsage(true).build();

    ChatCompletion c = client.chat().stream(request, recorder);

    assertThat(c.choices()).extracting(ChatCompletion.Choice::content).containsExactly("Salut", "Bonjour");
    assertThat(c.choices()).extracting(ChatCompletion.Choice::finishReason)
        .containsExactly(FinishReason.STOP, FinishReason.LENGTH);
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(7);
    assertThat(recorder.events).containsExactly("text 0: Sa", "text 1: Bon", "text 1: jour", "text 0: lut",
        "finish 1: LENGTH", "finish 0: STOP");

    server.enqueue(stream(sse(choice(0, "{\"content\":\"A\"}", null), choice(1, "{\"content\":\"B\"}", null))));
    client.chat().stream(request, firstOnly::add);
    assertThat(firstOnly).containsExactly("A");
  }

  @Test
  void assemblesARefusal() {
    server.enqueue(stream(sse(choice("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"\"}", null),
        choice("{\"refusal\":\"I can't\"}", null), choice("{\"refusal\":\" help.\"}", null), choice("{}", "\"stop\""))));
    Recorder recorder = new Recorder();

    ChatCompletion c = client.chat().stream(ChatRequest.builder().model("m").addUserMessage("hi")
        .responseFormat(ResponseFormat.jsonSchema("w", ChatToolsTest.WEATHER_SCHEMA, true)).build(), recorder);

    assertThat(c.message().refusal()).contains("I can't help.");
    assertThat(recorder.events).containsExactly("refusal 0: I can't", "refusal 0:  help.", "finish 0: STOP");
    assertThatThrownBy(c::contentJson).hasMessage("choice 0 was refused: I can't help.");
  }

  @Test
  void callsNumberedZeroWithDifferentIdsAreKeptApart() {
    // Some OpenAI-compatible servers give every call of a parallel batch index 0; the id tells them apart.
    server.enqueue(stream(sse(
        choice("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}", null),
        choice("{\"tool_calls\":[{\"index\":0,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}", null),
        choice("{}", "\"tool_calls\""))));

    ChatCompletion c = client.chat().stream(toolRequest(false), new ChatStreamListener() { });

    assertThat(c.toolCalls()).containsExactly(
        ToolCall.function("call_a", "get_time", "{}"),
        ToolCall.function("call_b", "get_weather", "{\"city\":\"Oslo\"}"));
  }

  /** A stream whose connection drops halfway through its body: a retryable transport failure. */
  private static MockResponse cutHalfway(String events) {
    String padding = ": " + "x".repeat(4096) + "\n\n"; // an SSE comment: the cut falls inside it
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
        .body(events + padding + padding + "data: [DONE]\n\n")
        .onResponseBody(new mockwebserver3.SocketEffect.CloseSocket(true, true, true))
        .build();
  }

  @Test
  void aStreamCutAfterAToolFragmentIsNotRetried() {
    // The listener has seen a fragment, so a retry would show it twice: the failure is final.
    server.enqueue(cutHalfway("data: " + choice("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_time\",\"arguments\":\"{\"}}]}", null) + "\n\n"));
    server.enqueue(stream(PARALLEL_TOOL_CALLS));
    Recorder recorder = new Recorder();

    assertThatThrownBy(() -> client.chat().stream(toolRequest(false), recorder))
        .isInstanceOf(dev.fanout.errors.TransportException.class);
    assertThat(recorder.toolDeltas).hasSize(1);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStreamCutBeforeAnyFragmentIsRetried() {
    // Positive control for the test above: the same cut, with nothing delivered yet, is retried.
    server.enqueue(cutHalfway("data: " + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + "\n\n"));
    server.enqueue(stream(PARALLEL_TOOL_CALLS));
    Recorder recorder = new Recorder();

    ChatCompletion c = client.chat().stream(toolRequest(false), recorder);

    assertThat(c.toolCalls()).hasSize(2);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(time.delays()).hasSize(1);
  }

  @Test
  void aStreamThatFailsBeforeAnyFragmentIsRetried() {
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(stream(PARALLEL_TOOL_CALLS));

    ChatCompletion c = client.chat().stream(toolRequest(true), new Recorder());

    assertThat(c.toolCalls()).hasSize(2);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(time.delays()).hasSize(1);
  }

  @Test
  void aToolCallDeltaOfTheWrongShapeFails() {
    server.enqueue(stream(sse(choice("{\"tool_calls\":{\"index\":0}}", null))));

    assertThatThrownBy(() -> client.chat().stream(toolRequest(false), new Recorder()))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("POST /v1/chat/completions: delta tool_calls is not an array: ");
  }
}
