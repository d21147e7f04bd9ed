package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.Responses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tools, tool calls, structured outputs and every choice of non-streamed completions, on OpenAI's wire JSON. */
@Timeout(20)
class ChatToolsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static final JsonNode WEATHER_SCHEMA = json("""
      {"type": "object",
       "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
       "required": ["city", "unit"], "additionalProperties": false}""");

  static final Tool WEATHER = Tool.function("get_weather", "Current weather in a city", WEATHER_SCHEMA, true);
  static final Tool TIME = Tool.function("get_time", "Local time in a city",
      Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))), false);

  /** A real gpt-4o-mini answer with two parallel tool calls (ids shortened). */
  static final String TOOL_CALLS_RESPONSE = """
      {
        "id": "chatcmpl-BXk1", "object": "chat.completion", "created": 1747000000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
          "index": 0,
          "message": {
            "role": "assistant", "content": null,
            "tool_calls": [
              {"id": "call_W1", "type": "function",
               "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\",\\"unit\\":\\"c\\"}"}},
              {"id": "call_T2", "type": "function",
               "function": {"name": "get_time", "arguments": "{\\"city\\":\\"Paris\\"}"}}
            ],
            "refusal": null, "annotations": []
          },
          "logprobs": null, "finish_reason": "tool_calls"
        }],
        "usage": {
          "prompt_tokens": 82, "completion_tokens": 47, "total_tokens": 129,
          "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 0},
          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "service_tier": "default", "system_fingerprint": "fp_44709d6fcb"
      }""";

  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  record WeatherArgs(String city, String unit) {}

  record Weather(String city, double temperatureC) {
    @com.fasterxml.jackson.annotation.JsonCreator
    Weather(@com.fasterxml.jackson.annotation.JsonProperty(value = "city", required = true) String city,
        @com.fasterxml.jackson.annotation.JsonProperty(value = "temperature_c", required = true) double temperatureC) {
      this.city = city;
      this.temperatureC = temperatureC;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/v1").toString()).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String completion(String choices) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1747000000,\"model\":\"gpt-4o-mini\","
        + "\"choices\":" + choices + ",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21}}";
  }

  static String textChoice(int index, String content, String finishReason) {
    return "{\"index\":" + index + ",\"message\":{\"role\":\"assistant\",\"content\":" + JSON.valueToTree(content)
        + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}";
  }

  private JsonNode takeBody() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    return json(r.getBody().utf8());
  }

  @Test
  void sendsEveryOptionInOpenAiWireForm() throws Exception {
    ChatRequest request = ChatRequest.builder()
        .model("gpt-4o-mini")
        .addSystemMessage("You are terse.")
        .addUserMessage("Weather and time in Paris?")
        .temperature(0.5).topP(0.9).n(2).maxTokens(100).maxCompletionTokens(200)
        .stop("\n\n", "END").seed(42L).user("user-7").presencePenalty(0.1).frequencyPenalty(-0.2)
        .addTool(WEATHER).addTool(TIME)
        .toolChoice(ToolChoice.function("get_weather"))
        .parallelToolCalls(false)
        .responseFormat(ResponseFormat.jsonSchema("weather", WEATHER_SCHEMA, true))
        .streamUsage(true)
        .putExtra("logprobs", true)
        .build();
    server.enqueue(Responses.json(completion("[" + textChoice(0, "{}", "stop") + "]")));

    client.chat().create(request);

    JsonNode expected = json("""
        {"model": "gpt-4o-mini",
         "messages": [{"role": "system", "content": "You are terse."},
                      {"role": "user", "content": "Weather and time in Paris?"}],
         "temperature": 0.5, "top_p": 0.9, "n": 2, "max_tokens": 100, "max_completion_tokens": 200,
         "stop": ["\\n\\n", "END"], "seed": 42, "user": "user-7",
         "presence_penalty": 0.1, "frequency_penalty": -0.2,
         "tools": [
           {"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
             "parameters": %s, "strict": true}},
           {"type": "function", "function": {"name": "get_time", "description": "Local time in a city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
         ],
         "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
         "parallel_tool_calls": false,
         "response_format": {"type": "json_schema",
           "json_schema": {"name": "weather", "schema": %s, "strict": true}},
         "logprobs": true}""".formatted(WEATHER_SCHEMA, WEATHER_SCHEMA));
    assertThat(takeBody()).isEqualTo(expected); // no stream, and so no stream_options, on create
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "auto", "required"})
  void sendsToolChoiceModesAsStrings(String mode) throws Exception {
    ToolChoice choice = Map.of("none", ToolChoice.none(), "auto", ToolChoice.auto(), "required", ToolChoice.required())
        .get(mode);
    server.enqueue(Responses.json(completion("[" + textChoice(0, "ok", "stop") + "]")));

    client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").addTool(TIME).toolChoice(choice).build());

    JsonNode body = takeBody();
    assertThat(body.get("tool_choice").asText()).isEqualTo(mode);
    assertThat(body.has("parallel_tool_calls")).isFalse();
  }

  @Test
  void sendsTextAndJsonObjectFormats() throws Exception {
    for (ResponseFormat f : List.of(ResponseFormat.text(), ResponseFormat.jsonObject())) {
      server.enqueue(Responses.json(completion("[" + textChoice(0, "{}", "stop") + "]")));
      client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").responseFormat(f).build());
      assertThat(takeBody().get("response_format")).isEqualTo(json("{\"type\":\"" + f + "\"}"));
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void readsParallelToolCallsOfANonStreamedCompletion(boolean async) throws Exception {
    server.enqueue(Responses.json(TOOL_CALLS_RESPONSE));
    ChatRequest request = ChatRequest.builder().model("gpt-4o-mini").addUserMessage("Weather and time in Paris?")
        .addTool(WEATHER).addTool(TIME).toolChoice(ToolChoice.required()).parallelToolCalls(true).build();

    ChatCompletion c = async ? HttpEngine.await(client.chat().createAsync(request)) : client.chat().create(request);

    assertThat(c.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(c.choice(0).rawFinishReason()).contains("tool_calls");
    assertThat(c.content()).isEmpty();
    assertThat(c.message().hasContent()).isFalse();
    assertThat(c.toolCalls()).extracting(ToolCall::id, ToolCall::name)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("call_W1", "get_weather"),
            org.assertj.core.groups.Tuple.tuple("call_T2", "get_time"));
    assertThat(c.toolCalls().get(0).arguments()).isEqualTo("{\"city\":\"Paris\",\"unit\":\"c\"}");
    assertThat(c.toolCalls().get(0).arguments(WeatherArgs.class)).isEqualTo(new WeatherArgs("Paris", "c"));
    assertThat(c.toolCalls().get(1).argumentsJson().get("city").asText()).isEqualTo("Paris");
    ChatCompletion.Usage usage = c.usage().orElseThrow();
    assertThat(List.of(usage.promptTokens(), usage.completionTokens(), usage.totalTokens())).containsExactly(82, 47, 129);
    assertThat(usage.cachedTokens()).hasValue(64);
    assertThat(usage.reasoningTokens()).hasValue(0);
    assertThat(usage.raw().path("completion_tokens_details").path("accepted_prediction_tokens").isInt()).isTrue();
    assertThat(c.systemFingerprint()).contains("fp_44709d6fcb");
    assertThat(c.raw().get("service_tier").asText()).isEqualTo("default"); // unknown fields pass through
    assertThat(c.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    JsonNode body = takeBody();
    assertThat(body.get("tool_choice").asText()).isEqualTo("required");
    assertThat(body.get("parallel_tool_calls").asBoolean()).isTrue();
  }

  @Test
  void toolRoundTripSendsTheAssistantsCallsAndTheToolResults() throws Exception {
    server.enqueue(Responses.json(TOOL_CALLS_RESPONSE));
    server.enqueue(Responses.json(completion("[" + textChoice(0, "18 °C at 14:05 in Paris.", "stop") + "]")));
    ChatRequest ask = ChatRequest.builder().model("gpt-4o-mini").addUserMessage("Weather and time in Paris?")
        .addTool(WEATHER).addTool(TIME).build();

    ChatCompletion first = client.chat().create(ask);
    ChatRequest.Builder next = ask.newBuilder().addMessage(first.message());
    for (ToolCall call : first.toolCalls()) {
      next.addMessage(ChatMessage.tool(call.id(), call.name().equals("get_weather") ? "{\"temp_c\":18}" : "\"14:05\""));
    }
    ChatCompletion answer = client.chat().create(next.build());

    assertThat(answer.content()).isEqualTo("18 °C at 14:05 in Paris.");
    assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);
    takeBody();
    JsonNode messages = takeBody().get("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.get(1)).isEqualTo(json("""
        {"role": "assistant", "content": null, "tool_calls": [
          {"id": "call_W1", "type": "function",
           "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\",\\"unit\\":\\"c\\"}"}},
          {"id": "call_T2", "type": "function",
           "function": {"name": "get_time", "arguments": "{\\"city\\":\\"Paris\\"}"}}]}"""));
    assertThat(messages.get(2)).isEqualTo(json("{\"role\":\"tool\",\"content\":\"{\\\"temp_c\\\":18}\",\"tool_call_id\":\"call_W1\"}"));
    assertThat(messages.get(3)).isEqualTo(json("{\"role\":\"tool\",\"content\":\"\\\"14:05\\\"\",\"tool_call_id\":\"call_T2\"}"));
  }

  @Test
  void nOfTwoReturnsEveryChoice() throws Exception {
    server.enqueue(Responses.json(completion(
        "[" + textChoice(1, "Bonjour", "length") + "," + textChoice(0, "Salut", "stop") + "]")));

    ChatCompletion c = client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").n(2).build());

    assertThat(c.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0, 1); // by index
    assertThat(c.content()).isEqualTo("Salut");
    assertThat(c.choice(1).content()).isEqualTo("Bonjour");
    assertThat(c.choice(1).finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThatThrownBy(() -> c.choice(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("choice 2 of 2");
    assertThat(takeBody().get("n").asInt()).isEqualTo(2);
  }

  @Test
  void parsesStructuredOutput() {
    server.enqueue(Responses.json(completion("[" + textChoice(0, "{\"city\":\"Paris\",\"temperature_c\":18.5}", "stop") + "]")));
    ChatRequest request = ChatRequest.builder().model("m").addUserMessage("weather?")
        .responseFormat(ResponseFormat.jsonSchema("weather", WEATHER_SCHEMA, true)).build();

    ChatCompletion c = client.chat().create(request);

    assertThat(c.parse(Weather.class)).isEqualTo(new Weather("Paris", 18.5));
    assertThat(c.contentJson().get("temperature_c").asDouble()).isEqualTo(18.5);
  }

  @Test
  void structuredOutputFailuresNameTheProblem() {
    server.enqueue(Responses.json(completion("[" + textChoice(0, "{\"city\":\"Par", "length") + "]")));
    ChatCompletion truncated = client.chat().create(ChatRequest.builder().model("m").addUserMessage("w").build());
    assertThatThrownBy(() -> truncated.parse(Weather.class))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("choice 0 content (finish_reason length) is not valid JSON (")
        .hasMessageEndingWith("): {\"city\":\"Par");

    server.enqueue(Responses.json(completion("[" + textChoice(0, "{\"town\":\"Paris\"}", "stop") + "]")));
    ChatCompletion wrongShape = client.chat().create(ChatRequest.builder().model("m").addUserMessage("w").build());
    assertThatThrownBy(() -> wrongShape.parse(Weather.class))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("choice 0 content does not match Weather: ")
        .hasMessageContaining("city");

    server.enqueue(Responses.json(completion("[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
        + "\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]")));
    ChatCompletion refused = client.chat().create(ChatRequest.builder().model("m").addUserMessage("w").build());
    assertThat(refused.message().refusal()).contains("I can't help with that.");
    assertThatThrownBy(refused::contentJson).isInstanceOf(DecodeException.class)
        .hasMessage("choice 0 was refused: I can't help with that.");
  }

  @Test
  void unknownFinishReasonKeepsTheRawString() {
    server.enqueue(Responses.json(completion("[" + textChoice(0, "x", "max_output_reached") + "]")));

    ChatCompletion c = client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").build());

    assertThat(c.finishReason()).isEqualTo(FinishReason.UNKNOWN);
    assertThat(c.choice(0).rawFinishReason()).contains("max_output_reached");
    assertThat(FinishReason.of("content_filter")).isEqualTo(FinishReason.CONTENT_FILTER);
    assertThat(FinishReason.of("function_call")).isEqualTo(FinishReason.FUNCTION_CALL);
  }

  @Test
  void aMalformedToolCallFailsNamingTheField() {
    server.enqueue(Responses.json(completion("[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"tool_calls\":{\"id\":\"call_1\"}},\"finish_reason\":\"tool_calls\"}]")));

    assertThatThrownBy(() -> client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").build()))
        .isInstanceOf(DecodeException.class)
        .hasMessage("POST /v1/chat/completions: choices[0].message.tool_calls is not an array but object");
  }

  @Test
  void badToolArgumentsFailOnlyWhenRead() {
    server.enqueue(Responses.json(completion("[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
        + "\"tool_calls\":[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
        + "\"arguments\":\"{city: Paris\"}}]},\"finish_reason\":\"tool_calls\"}]")));

    ToolCall call = client.chat().create(ChatRequest.builder().model("m").addUserMessage("hi").build()).toolCalls().get(0);

    assertThat(call.arguments()).isEqualTo("{city: Paris");
    assertThatThrownBy(call::argumentsJson).isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("arguments of tool call call_9 (get_time) is not valid JSON (");
  }
}
