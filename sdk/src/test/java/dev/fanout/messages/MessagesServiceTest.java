package dev.fanout.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.OverloadedException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.AutoAdvance;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Messages API's wire format, as the client writes and reads it, against a scripted server. */
@Timeout(20)
class MessagesServiceTest {
  private static final String KEY = "sk-ant-api03-secretsecretsecret";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A tool taking one string argument, {@code city}; {@link CountTokensTest} offers it too. */
  static final Tool WEATHER = Tool.of("get_weather", "Weather in a city", JSON.createObjectNode()
      .put("type", "object")
      .set("properties", JSON.createObjectNode().set("city", JSON.createObjectNode().put("type", "string"))));
  private static final MessageRequest REQUEST = MessageRequest.builder()
      .model("claude-test")
      .maxTokens(256)
      .system("be brief")
      .addUserMessage("weather in Paris?")
      .addMessage(MessageParam.user(List.of(ContentBlock.text("and this"), ContentBlock.imageBase64("image/png", "iVBOR"))))
      .temperature(0.3)
      .stopSequences(List.of("END"))
      .tools(List.of(WEATHER))
      .toolChoice(ToolChoice.auto().disableParallelToolUse())
      .build();

  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .apiKey(KEY)
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
        .clock(time.clock()).streamIdleTimeout(Duration.ZERO).totalTimeout(Duration.ZERO)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
    time.close();
  }

  private static final String MESSAGE = "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\","
      + "\"content\":[{\"type\":\"text\",\"text\":\"Let me check.\"},"
      + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}],"
      + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":9,"
      + "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100}}";

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build();
  }

  private static String event(String type, String data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void sendsAnthropicsHeadersAndBodyAndReadsTheMessage(boolean async) throws Exception {
    server.enqueue(json(200, MESSAGE));
    Message m = async ? client.messages().createAsync(REQUEST).get() : client.messages().create(REQUEST);

    RecordedRequest r = server.takeRequest();
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/messages");
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(KEY);
    assertThat(r.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(r.getHeaders().get("Authorization")).isNull();
    JsonNode body = JSON.readTree(r.getBody().utf8());
    assertThat(body.get("model").asText()).isEqualTo("claude-test");
    assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
    assertThat(body.get("system").asText()).isEqualTo("be brief");
    assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(body.at("/messages/0/content/0").toString()).isEqualTo("{\"type\":\"text\",\"text\":\"weather in Paris?\"}");
    assertThat(body.at("/messages/1/content/1").toString()).isEqualTo(
        "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBOR\"}}");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
    assertThat(body.get("stop_sequences").toString()).isEqualTo("[\"END\"]");
    assertThat(body.at("/tools/0/name").asText()).isEqualTo("get_weather");
    assertThat(body.at("/tools/0/input_schema/type").asText()).isEqualTo("object");
    assertThat(body.get("tool_choice").toString()).isEqualTo("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}");
    assertThat(body.has("stream")).isFalse();

    assertThat(m.id()).isEqualTo("msg_01");
    assertThat(m.text()).isEqualTo("Let me check.");
    assertThat(m.stopReason()).isEqualTo(StopReason.TOOL_USE);
    assertThat(m.toolUses()).singleElement().satisfies(u -> {
      assertThat(u.id()).isEqualTo("toolu_01");
      assertThat(u.input().get("city").asText()).isEqualTo("Paris");
    });
    assertThat(m.usage()).isEqualTo(new Message.Usage(20, 9, 5, 100));
    assertThat(m.usage().totalInputTokens()).isEqualTo(125);
    assertThat(m.usage().rateLimitedInputTokens()).isEqualTo(25);
  }

  @Test
  void sendsToolResultsBackInTheNextUserTurn() throws Exception {
    server.enqueue(json(200, MESSAGE));
    Message first = client.messages().create(REQUEST);
    server.enqueue(json(200, MESSAGE.replace("\"tool_use\",\"stop", "\"end_turn\",\"stop")));
    MessageRequest next = REQUEST.newBuilder()
        .addMessage(first.toParam())
        .addMessage(MessageParam.user(List.of(ContentBlock.toolResult("toolu_01", "sunny"),
            ContentBlock.toolError("toolu_02", "timed out"))))
        .build();
    client.messages().create(next);
    server.takeRequest();
    JsonNode body = JSON.readTree(server.takeRequest().getBody().utf8());
    assertThat(body.at("/messages/2/role").asText()).isEqualTo("assistant");
    assertThat(body.at("/messages/2/content/1").toString())
        .isEqualTo("{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}");
    assertThat(body.at("/messages/3/content/0").toString())
        .isEqualTo("{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":\"sunny\"}");
    assertThat(body.at("/messages/3/content/1/is_error").asBoolean()).isTrue();
  }

  @Test
  void maxTokensIsRequiredBeforeAnythingIsSent() {
    assertThatThrownBy(() -> MessageRequest.builder().model("claude-test").addUserMessage("hi").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxTokens is required");
    assertThatThrownBy(() -> MessageRequest.builder().maxTokens(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTokens < 0: -1");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void streamsEveryEventIntoTheMessage() {
    server.enqueue(sse(
        event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[],\"stop_reason\":null,"
            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1,"
            + "\"cache_read_input_tokens\":7,\"cache_creation_input_tokens\":0}}}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + event("ping", "{\"type\":\"ping\"}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" there\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"get_weather\",\"input\":{}}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Pa\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ris\\\"}\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}")
        + event("message_stop", "{\"type\":\"message_stop\"}")));
    RecordingListener listener = new RecordingListener();
    Message m = client.messages().stream(REQUEST, listener);
    assertThat(listener.seen).containsExactly("text 0 Hello", "text 0  there", "stop 0 text",
        "json 1 {\"city\": \"Pa", "json 1 ris\"}", "stop 1 tool_use", "reason TOOL_USE");
    assertThat(m.id()).isEqualTo("msg_02");
    assertThat(m.text()).isEqualTo("Hello there");
    assertThat(m.toolUses()).singleElement().satisfies(u -> assertThat(u.input().get("city").asText()).isEqualTo("Paris"));
    assertThat(m.stopReason()).isEqualTo(StopReason.TOOL_USE);
    assertThat(m.usage()).isEqualTo(new Message.Usage(25, 15, 0, 7));
  }

  @Test
  void aStreamCutBeforeMessageStopIsADecodeError() {
    server.enqueue(sse(
        event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_03\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")));
    assertThatThrownBy(() -> client.messages().stream(REQUEST, text -> { }))
        .isInstanceOf(DecodeException.class).hasMessageContaining("before message_stop");
  }

  @Test
  void aToolUseWhoseInputIsNotJsonFailsTheStreamNamingTheCallOnce() {
    server.enqueue(sse(
        event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_05\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{}}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")));

    assertThatThrownBy(() -> client.messages().stream(REQUEST, text -> { }))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("POST /v1/messages: tool use weather input is not JSON: {\"city\": ")
        .satisfies(e -> assertThat(e.getMessage().split("POST /v1/messages", -1)).as("the label once").hasSize(2));
  }

  @Test
  void anErrorEventFailsTheStreamAsOverloaded() {
    server.enqueue(sse(
        event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_04\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}")
        + event("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded " + KEY + "\"}}")));
    assertThatThrownBy(() -> client.messages().stream(REQUEST, text -> { }))
        .isInstanceOf(OverloadedException.class)
        .hasMessageContaining("overloaded_error")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
  }

  @Test
  void errorsMapIntoTheExceptionTreeWithTheKeyRedacted() {
    String body = "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"bad key " + KEY + "\"}}";
    server.enqueue(json(429, String.format(body, "rate_limit_error")).newBuilder().setHeader("retry-after", "7").build());
    assertThatThrownBy(() -> client.messages().create(REQUEST))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
          assertThat(e.getMessage()).contains("HTTP 429", "rate_limit_error").doesNotContain(KEY);
          assertThat(e.body()).doesNotContain(KEY);
        });
    server.enqueue(json(529, String.format(body, "overloaded_error")));
    assertThatThrownBy(() -> client.messages().create(REQUEST))
        .isInstanceOf(OverloadedException.class).hasMessageContaining("HTTP 529 Overloaded");
    server.enqueue(json(400, String.format(body, "invalid_request_error")));
    assertThatThrownBy(() -> client.messages().create(REQUEST)).isInstanceOf(BadRequestException.class);
    server.enqueue(json(401, String.format(body, "authentication_error")));
    assertThatThrownBy(() -> client.messages().create(REQUEST))
        .isInstanceOf(UnauthorizedException.class)
        .satisfies(e -> assertThat(e.toString()).doesNotContain(KEY));
  }

  @Test
  void theUnawaitedFormIsTheSameCall() {
    server.enqueue(json(200, MESSAGE));
    assertThat(HttpEngine.await(client.messages().createAsync(REQUEST)).id()).isEqualTo("msg_01");
  }
}
